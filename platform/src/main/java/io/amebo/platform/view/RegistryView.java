package io.amebo.platform.view;

import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.contract.registry.SubscriptionState;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * An in-memory copy of the registry, materialised from the compacted {@code amebo.registry} changelog, so that the
 * gateway and dispatcher keep working while the registry service or PostgreSQL is down (DESIGN §2, §6.5). Reads
 * never block and never do I/O.
 */
public interface RegistryView {

    Optional<ApplicationState> application(String name);

    Optional<ActionState> action(String name);

    /** Every action the view knows, in no particular order. */
    Collection<ActionState> actions();

    Optional<SubscriptionState> subscription(String name);

    Collection<SubscriptionState> subscriptions();

    List<SubscriptionState> subscriptionsOf(String action);

    void addListener(RegistryListener listener);

    /** Whether the view has applied everything that was on the changelog when it started. */
    boolean isCaughtUp();

    /** Waits until {@link #isCaughtUp}; false if {@code timeout} passed first. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException;
}
