package io.amebo.platform.view;

import io.amebo.contract.registry.RegistryKeys;

/**
 * Notified by the {@link RegistryView} after it applied a change. Called on the view's own thread, in changelog
 * order; a listener must not block it for long. {@code current} is the new state, or null when the entity was
 * deleted; {@code previous} is what the view held before, or null.
 */
@FunctionalInterface
public interface RegistryListener {
    void onChange(RegistryKeys.Kind kind, String name, Object previous, Object current);
}
