package io.zonemover.sim.ec2;

/** An EC2 API error: the code and message EC2 puts in its error document, and the HTTP status. */
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

    static Ec2Error volumeNotFound(String id) {
        return new Ec2Error("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
    }

    static Ec2Error snapshotNotFound(String id) {
        return new Ec2Error("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
    }

    static Ec2Error missing(String param) {
        return new Ec2Error("MissingParameter", "The request must contain the parameter " + param);
    }

    static Ec2Error invalid(String message) {
        return new Ec2Error("InvalidParameterValue", message);
    }
}
