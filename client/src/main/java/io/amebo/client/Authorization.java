package io.amebo.client;

/** What goes in a request's {@code Authorization} header, and what to do when Amebo refuses it. */
interface Authorization {

    /** The header value for the next request, or null to send none. May fetch a token (and fail doing so). */
    String header();

    /**
     * Amebo answered 401 to a request sent with {@code header}. True when a fresh credential may succeed, and the
     * request is then sent once more with {@link #header()}.
     */
    boolean refused(String header);

    Authorization NONE = new Authorization() {
        @Override
        public String header() {
            return null;
        }

        @Override
        public boolean refused(String header) {
            return false;
        }
    };

    /** A fixed bearer token, such as the admin's: nothing to refresh, so a 401 is final. */
    static Authorization bearer(String token) {
        String header = "Bearer " + token;
        return new Authorization() {
            @Override
            public String header() {
                return header;
            }

            @Override
            public boolean refused(String sent) {
                return false;
            }
        };
    }
}
