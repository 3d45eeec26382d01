package io.amebo.dispatcher;

import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.platform.view.RegistryListener;
import io.amebo.platform.view.RegistryView;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A registry view for tests without a changelog: what it knows is put in, and it catches up when told to. */
public final class StubRegistryView implements RegistryView {

    private final Map<String, ApplicationState> applications = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);

    /** A view that has caught up and knows {@code known}. */
    public static StubRegistryView of(ApplicationState... known) {
        StubRegistryView view = new StubRegistryView();
        for (ApplicationState application : known) {
            view.applications.put(application.application(), application);
        }
        view.catchUp();
        return view;
    }

    /** A view that has not caught up with the changelog yet. */
    public static StubRegistryView behind() {
        return new StubRegistryView();
    }

    public void catchUp() {
        caughtUp.countDown();
    }

    @Override
    public Optional<ApplicationState> application(String name) {
        return Optional.ofNullable(applications.get(name));
    }

    @Override
    public Optional<ActionState> action(String name) {
        return Optional.empty();
    }

    @Override
    public Optional<SubscriptionState> subscription(String name) {
        return Optional.empty();
    }

    @Override
    public Collection<ActionState> actions() {
        return List.of();
    }

    @Override
    public Collection<SubscriptionState> subscriptions() {
        return List.of();
    }

    @Override
    public List<SubscriptionState> subscriptionsOf(String action) {
        return List.of();
    }

    @Override
    public void addListener(RegistryListener listener) {}

    @Override
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    @Override
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
