package io.amebo.platform.auth;

/** Who is making a request (DESIGN §4.1): the admin, or one application. */
public sealed interface Principal {

    /** Whether this principal may act for {@code application}: the admin may act for any. */
    boolean mayActAs(String application);

    boolean isAdmin();

    record Admin() implements Principal {
        @Override
        public boolean mayActAs(String application) {
            return true;
        }

        @Override
        public boolean isAdmin() {
            return true;
        }
    }

    /**
     * An application, authenticated with its current secret (or a token minted from it), or with a rotated-out one
     * still in its grace period, which may use the API but change nothing of the application's own record.
     */
    record Application(String name, boolean current) implements Principal {

        public Application(String name) {
            this(name, true);
        }

        @Override
        public boolean mayActAs(String application) {
            return name.equals(application);
        }

        @Override
        public boolean isAdmin() {
            return false;
        }
    }
}
