package io.amebo.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

/**
 * An error response (DESIGN §4): RFC 9457 {@code application/problem+json}, plus Amebo's one-line {@code error}
 * member and, for validation failures, {@code errors} naming every failing field by JSON pointer.
 *
 * @param type a URI naming the kind of problem ({@code about:blank} when the status says it all)
 * @param title the short, stable summary of the kind (the status reason for {@code about:blank})
 * @param status the HTTP status
 * @param detail what went wrong this time, for a person
 * @param error the original Amebo's one-line message; equal to {@code detail}
 * @param errors every failing field, empty unless the problem is a validation failure (then omitted when empty)
 */
@JsonPropertyOrder({"type", "title", "status", "detail", "instance", "error", "errors"})
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type, String title, int status, String detail, String instance, String error, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String ABOUT_BLANK = "about:blank";

    /** One failing field: an RFC 6901 pointer into the request ({@code /payload/email}) and what is wrong there. */
    public record FieldError(String pointer, String message) {
        public FieldError {
            Objects.requireNonNull(pointer, "pointer");
            Objects.requireNonNull(message, "message");
        }
    }

    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(title, "title");
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a problem has a 4xx or 5xx status, was " + status);
        }
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem(ABOUT_BLANK, title, status, detail, null, detail, List.of());
    }

    /** A validation failure: the detail summarises, {@code errors} names every field. */
    public static Problem invalid(int status, String title, String detail, List<FieldError> errors) {
        return new Problem(ABOUT_BLANK, title, status, detail, null, detail, errors);
    }

    public Problem withInstance(String instance) {
        return new Problem(type, title, status, detail, instance, error, errors);
    }
}
