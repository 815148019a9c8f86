package io.zonemover.sim.ec2;

/**
 * An EC2 API error in the service's own words: the code and message EC2 puts in its error document, and the
 * HTTP status. The factories below are the codes the simulated EC2 can answer (REFERENCE.md B.6 "Error codes
 * to handle"); the model throws them and the protocol layer only renders them.
 */
public final class Ec2Error extends RuntimeException {

    private final String code;
    private final int httpStatus;

    public Ec2Error(String code, String message) {
        this(code, message, 400);
    }

    public Ec2Error(String code, String message, int httpStatus) {
        super(message);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    // ---- request errors (protocol)

    static Ec2Error missing(String param) {
        return new Ec2Error("MissingParameter", "The request must contain the parameter " + param);
    }

    static Ec2Error invalid(String message) {
        return new Ec2Error("InvalidParameterValue", message);
    }

    static Ec2Error invalidAction(String action) {
        return new Ec2Error("InvalidAction", "The action " + action + " is not valid for this web service.");
    }

    static Ec2Error invalidFilter(String name) {
        return invalid("The filter '" + name + "' is invalid");
    }

    /** EC2's answer when a token bucket is empty; in the SDK's throttling list, so retried with backoff. */
    static Ec2Error requestLimitExceeded() {
        return new Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
    }

    static Ec2Error internalError(String detail) {
        return new Ec2Error("InternalError", "An internal error has occurred" + detail, 500);
    }

    // ---- resources that are not there

    static Ec2Error volumeNotFound(String id) {
        return new Ec2Error("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
    }

    static Ec2Error volumesNotFound(java.util.List<String> ids) {
        return ids.size() == 1 ? volumeNotFound(ids.get(0)) : new Ec2Error("InvalidVolume.NotFound",
                "The volumes '" + String.join(", ", ids) + "' do not exist.");
    }

    static Ec2Error snapshotNotFound(String id) {
        return new Ec2Error("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
    }

    static Ec2Error snapshotsNotFound(java.util.List<String> ids) {
        return ids.size() == 1 ? snapshotNotFound(ids.get(0)) : new Ec2Error("InvalidSnapshot.NotFound",
                "The snapshots '" + String.join(", ", ids) + "' do not exist.");
    }

    static Ec2Error instanceNotFound(String id) {
        return new Ec2Error("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
    }

    /** terraform issue #6110: "InvalidZone.NotFound: The zone 'us-west-2a' does not exist." */
    static Ec2Error zoneNotFound(String zone) {
        return new Ec2Error("InvalidZone.NotFound", "The zone '" + zone + "' does not exist.");
    }

    static Ec2Error invalidId(String id) {
        return new Ec2Error("InvalidID", "The ID '" + id + "' is not valid");
    }

    // ---- state machine refusals

    static Ec2Error incorrectState(String message) {
        return new Ec2Error("IncorrectState", message);
    }

    static Ec2Error volumeInUse(String message) {
        return new Ec2Error("VolumeInUse", message);
    }

    static Ec2Error zoneMismatch(String volumeId, String instanceId) {
        return new Ec2Error("InvalidVolume.ZoneMismatch", "The volume '" + volumeId + "' is not in the same "
                + "availability zone as instance '" + instanceId + "'");
    }

    static Ec2Error attachmentNotFound(String volumeId, String instanceId) {
        return new Ec2Error("InvalidAttachment.NotFound", "Volume '" + volumeId + "' is not attached to instance '"
                + instanceId + "'");
    }

    static Ec2Error idempotentParameterMismatch() {
        return new Ec2Error("IdempotentParameterMismatch", "The client token you have provided is associated with "
                + "a resource that is already deleted or failed, or with different parameters. Please use a "
                + "different client token.");
    }

    static Ec2Error parameterCombination(String message) {
        return new Ec2Error("InvalidParameterCombination", message);
    }

    static Ec2Error parameterDependency(String message) {
        return new Ec2Error("InvalidParameterDependency", message);
    }

    static Ec2Error insufficientVolumeCapacity() {
        return new Ec2Error("InsufficientVolumeCapacity", "There is currently insufficient capacity to serve the "
                + "request. Try again at a later time or in a different availability zone.");
    }

    // ---- snapshot limits (REFERENCE.md B.6 CreateSnapshot, "Rate limits")

    static Ec2Error concurrentSnapshotLimit(int max, String volumeId) {
        return new Ec2Error("ConcurrentSnapshotLimitExceeded", "Maximum number of concurrent snapshots (" + max
                + ") for volume '" + volumeId + "' exceeded.");
    }

    static Ec2Error snapshotRateExceeded() {
        return new Ec2Error("SnapshotCreationPerVolumeRateExceeded", "The maximum per volume CreateSnapshot "
                + "request rate has been exceeded. Use an increasing or variable sleep interval between requests.");
    }
}
