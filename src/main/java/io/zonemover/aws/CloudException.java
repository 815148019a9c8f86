package io.zonemover.aws;

import io.zonemover.domain.PortError;

import java.util.Set;

/** An EC2 call failed with an error code the SDK did not retry away (or ran out of retries for). */
public final class CloudException extends PortError {

    /** EC2's codes that mean "later": rate limits, its transient states, and its own server trouble. */
    private static final Set<String> TRANSIENT = Set.of("SnapshotCreationPerVolumeRateExceeded",
            "ConcurrentSnapshotLimitExceeded", "RequestLimitExceeded", "Throttling", "ThrottlingException",
            "IncorrectState", "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable",
            "RequestTimeout", "RequestExpired", "ClientError");

    public CloudException(String code, String message, Throwable cause) {
        super(kindOf(code), "EC2", code, message, cause);
    }

    private static Kind kindOf(String code) {
        if (TRANSIENT.contains(code) || code.startsWith("HTTP5")) {
            return Kind.TRANSIENT;
        }
        if (code.endsWith(".NotFound")) {
            return Kind.NOT_FOUND;
        }
        return Kind.REJECTED;
    }

    /** Worth trying again later, inside the step: rate limits and EC2's transient states. */
    public boolean transientError() {
        return kind() == Kind.TRANSIENT;
    }
}
