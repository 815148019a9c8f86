package io.zonemover.sim.kube.store;

/** An API error that the endpoint turns into a Kubernetes Status body with the same code and reason. */
public final class KubeApiException extends RuntimeException {

    private final int code;
    private final String reason;
    private final String name;
    private final String group;
    private final String kind;

    public KubeApiException(int code, String reason, String message) {
        this(code, reason, message, null, null, null);
    }

    public KubeApiException(int code, String reason, String message, String name, String group, String kind) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.name = name;
        this.group = group;
        this.kind = kind;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public String name() {
        return name;
    }

    public String group() {
        return group;
    }

    public String kind() {
        return kind;
    }

    public static KubeApiException notFound(ResourceType type, String name) {
        return new KubeApiException(404, "NotFound", type.qualified() + " \"" + name + "\" not found", name,
                type.group(), type.plural());
    }

    static KubeApiException alreadyExists(ResourceType type, String name) {
        return new KubeApiException(409, "AlreadyExists", type.qualified() + " \"" + name + "\" already exists", name,
                type.group(), type.plural());
    }

    public static KubeApiException conflict(ResourceType type, String name) {
        return new KubeApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualified() + " \""
                + name + "\": the object has been modified; please apply your changes to the latest version and try again",
                name, type.group(), type.plural());
    }

    static KubeApiException invalid(ResourceType type, String name, String detail) {
        return new KubeApiException(422, "Invalid", type.kind() + " \"" + (name == null ? "" : name) + "\" is invalid: "
                + detail, name, type.group(), type.kind());
    }

    public static KubeApiException badRequest(String message) {
        return new KubeApiException(400, "BadRequest", message);
    }
}
