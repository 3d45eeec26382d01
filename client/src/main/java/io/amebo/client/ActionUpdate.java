package io.amebo.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A change to an action ({@link Actions#update(String, ActionUpdate)}): who may subscribe, or its description.
 * Immutable; start from {@link #NONE}. An application taken off {@code subscribers} has its subscriptions to the
 * action paused and cannot resume them.
 *
 * @param subscribers the applications allowed to subscribe from now on, or null to leave them as they are
 * @param openToAll true to let any application subscribe
 * @param description the new description, or null to leave it
 */
public record ActionUpdate(List<String> subscribers, boolean openToAll, String description) {

    public static final ActionUpdate NONE = new ActionUpdate(null, false, null);

    public ActionUpdate {
        subscribers = subscribers == null ? null : List.copyOf(subscribers);
        if (subscribers != null && openToAll) {
            throw new IllegalArgumentException("give subscribers or open the action to all, not both");
        }
    }

    public ActionUpdate withSubscribers(List<String> subscribers) {
        return new ActionUpdate(subscribers, false, description);
    }

    public ActionUpdate withOpenToAll() {
        return new ActionUpdate(null, true, description);
    }

    public ActionUpdate withDescription(String description) {
        return new ActionUpdate(subscribers, openToAll, description);
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        if (openToAll) {
            body.put("subscribers", "open");
        }
        NewAction.putIfSet(body, "subscribers", subscribers);
        NewAction.putIfSet(body, "description", description);
        if (body.isEmpty()) {
            throw new IllegalArgumentException("the update changes nothing: give subscribers or a description");
        }
        return body;
    }
}
