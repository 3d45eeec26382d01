package io.amebo.dispatcher.web;

import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.view.RegistryView;
import io.amebo.platform.web.ProblemException;

/**
 * Who may act on a subscription's deliveries over HTTP (DESIGN §4.1): its subscriber and the admin; and for what
 * sends events to its handler again (redelivery, replay), only while the action's owner still allows the subscriber
 * to read the action's events. The admin is bound by that too: an owner's list decides who reads, and the admin
 * changes the list rather than going around it.
 */
final class SubscriptionAccess {

    private final RegistryView view;

    SubscriptionAccess(RegistryView view) {
        this.view = view;
    }

    /** The subscription, if {@code principal} is its subscriber or the admin; else a 404 or 403 problem. */
    SubscriptionState owned(Principal principal, String name, String what) {
        SubscriptionState subscription =
                view.subscription(name).orElseThrow(() -> ProblemException.notFound("no subscription named " + name));
        if (!principal.mayActAs(subscription.application())) {
            throw ProblemException.forbidden("only the subscriber and the admin may " + what);
        }
        return subscription;
    }

    /** The subscription's action, if the owner allows the subscriber to read its events; else a 403 problem. */
    ActionState readableAction(SubscriptionState subscription) {
        ActionState action = view.action(subscription.action())
                .orElseThrow(() -> ProblemException.notFound("the subscription's action is gone"));
        if (!action.allowsSubscriber(subscription.application())) {
            throw ProblemException.forbidden("the owner of " + action.action() + " no longer allows "
                    + subscription.application() + " to read its events");
        }
        return action;
    }
}
