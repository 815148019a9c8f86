package io.zonemover.domain;

/**
 * What a port call's failure means to a step, whichever API answered: both adapters map their errors into
 * these four kinds, so a step decides once, not per vendor, whether to wait, re-read or give up.
 */
public class PortError extends RuntimeException {

    public enum Kind {
        /** Throttled, a 5xx, a dropped connection or a timeout: the same call may succeed later. */
        TRANSIENT,
        /** Someone else changed the object first (HTTP 409 Conflict): re-read and decide again. */
        CONFLICT,
        /** The object is not there. */
        NOT_FOUND,
        /** The API refused the request as such: trying again changes nothing. */
        REJECTED
    }

    private final Kind kind;
    private final String api;
    private final String code;

    public PortError(Kind kind, String api, String code, String message, Throwable cause) {
        super(api + " " + code + ": " + message, cause);
        this.kind = kind;
        this.api = api;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    /** "Kubernetes" or "EC2". */
    public String api() {
        return api;
    }

    /** The API's own word for the error: an EC2 error code, or "HTTP 503". */
    public String code() {
        return code;
    }

    /** Worth trying again inside the step: transient errors and conflicts (the step re-reads first). */
    public boolean retryable() {
        return kind == Kind.TRANSIENT || kind == Kind.CONFLICT;
    }
}
