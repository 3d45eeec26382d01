package io.amebo.gateway.http;

import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.platform.view.RegistryView;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** The registry view first, the registry itself on a miss. */
public final class RegistryLookups {

    private final RegistryView view;
    private final RegistryClient registry;

    public RegistryLookups(RegistryView view, RegistryClient registry) {
        this.view = view;
        this.registry = registry;
    }

    public Mono<Optional<ActionState>> action(String name) {
        Optional<ActionState> known = view.action(name);
        return known.isPresent() ? Mono.just(known) : registry.action(name);
    }

    public Mono<Optional<ApplicationState>> application(String name) {
        Optional<ApplicationState> known = view.application(name);
        return known.isPresent() ? Mono.just(known) : registry.application(name);
    }

    public RegistryView view() {
        return view;
    }
}
