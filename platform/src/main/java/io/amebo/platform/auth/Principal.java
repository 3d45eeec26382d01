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

    record Application(String name) implements Principal {
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
