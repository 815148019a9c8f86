package io.zonemover.aws;

/** An EC2 call failed with an error code the SDK did not retry away (or ran out of retries for). */
public final class CloudException extends RuntimeException {

    private final String code;

    public CloudException(String code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Worth trying again later, inside the step: rate limits and EC2's transient states. */
    public boolean transientError() {
        return switch (code) {
            case "SnapshotCreationPerVolumeRateExceeded", "ConcurrentSnapshotLimitExceeded", "RequestLimitExceeded",
                 "IncorrectState", "InternalError", "ServiceUnavailable", "Unavailable", "RequestTimeout" -> true;
            default -> false;
        };
    }
}
