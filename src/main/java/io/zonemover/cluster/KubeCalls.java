package io.zonemover.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.custom.V1Patch;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.zonemover.domain.PortError;
import okhttp3.Call;
import okhttp3.Response;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How {@link KubeCluster} calls the API server: every failure mapped into {@link PortError}'s four kinds,
 * transient ones (429, 5xx, a dropped connection, a timeout) retried a few times with backoff, and raw JSON
 * calls for objects that must be read and written exactly as served.
 */
final class KubeCalls {

    @FunctionalInterface
    interface ApiCall<T> {
        T run() throws ApiException;
    }

    /** A few quick retries here; a step retries for longer above this, re-reading before it acts again. */
    private static final RetryTemplate RETRY = new RetryTemplate(RetryPolicy.builder()
            .maxRetries(4).delay(Duration.ofMillis(200)).multiplier(2).maxDelay(Duration.ofSeconds(2))
            .predicate(e -> e instanceof PortError p && p.kind() == PortError.Kind.TRANSIENT)
            .build());

    private final ApiClient client;

    KubeCalls(ApiClient client) {
        this.client = client;
    }

    /** The call's result; any failure as a PortError. */
    <T> T call(String what, ApiCall<T> call) {
        try {
            return RETRY.execute(() -> {
                try {
                    return call.run();
                } catch (ApiException e) {
                    throw error(what, e.getCode(), e.getResponseBody(), e);
                } catch (PortError e) {
                    throw e; // already classified (a raw call inside this one)
                } catch (RuntimeException e) {
                    throw io(what, e);
                }
            });
        } catch (RetryException e) {
            Throwable last = e.getLastException() != null ? e.getLastException() : e.getCause();
            if (last instanceof PortError p) {
                throw p;
            }
            throw new PortError(PortError.Kind.REJECTED, "Kubernetes", "error", what + ": " + last, last);
        }
    }

    /** One attempt, not retried: for calls that are best-effort (events), whose caller must not wait. */
    <T> T once(String what, ApiCall<T> call) {
        try {
            return call.run();
        } catch (ApiException e) {
            throw error(what, e.getCode(), e.getResponseBody(), e);
        } catch (PortError e) {
            throw e;
        } catch (RuntimeException e) {
            throw io(what, e);
        }
    }

    /** Empty when the object does not exist. */
    <T> Optional<T> read(String what, ApiCall<T> call) {
        try {
            return Optional.ofNullable(call(what, call));
        } catch (PortError e) {
            if (e.kind() == PortError.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Deleting what is gone is success. */
    void delete(String what, ApiCall<?> call) {
        read(what, call);
    }

    /** Creating what exists is success; a write conflict is not (nothing was created). */
    void create(String what, ApiCall<?> call) {
        try {
            call(what, call);
        } catch (PortError e) {
            if (!"AlreadyExists".equals(e.code())) {
                throw e;
            }
        }
    }

    /** GET of a path, as the server sent it; empty on 404. */
    Optional<JsonObject> getRaw(String path) {
        return read("GET " + path, () -> send(path, "GET", null, null))
                .map(body -> JsonParser.parseString(body).getAsJsonObject());
    }

    /**
     * POST, PUT, PATCH or DELETE of a JSON document, sent byte for byte: client-java's serializer would drop
     * JSON nulls, and a merge patch needs them ({"claimRef": null} removes the field).
     */
    String sendRaw(String path, String method, JsonElement body, String contentType) {
        V1Patch raw = body == null ? null : new V1Patch(body.toString());
        return call(method + " " + path, () -> send(path, method, raw, contentType));
    }

    private String send(String path, String method, Object body, String contentType) throws ApiException {
        Map<String, String> headers = new java.util.HashMap<>();
        headers.put("Accept", "application/json");
        if (body != null) {
            headers.put("Content-Type", contentType == null ? "application/json" : contentType);
        }
        Call call = client.buildCall(null, path, method, List.of(), List.of(), body, headers, Map.of(), Map.of(),
                new String[] {"BearerToken"}, null);
        try (Response response = call.execute()) {
            String text = response.body() == null ? "" : response.body().string();
            if (!response.isSuccessful()) {
                throw new ApiException(response.message(), response.code(), response.headers().toMultimap(), text);
            }
            return text;
        } catch (IOException e) {
            throw new ApiException(e);
        }
    }

    private static PortError error(String what, int code, String body, Throwable cause) {
        String reason = reason(body);
        PortError.Kind kind = switch (code) {
            case 0, 429, 500, 502, 503, 504 -> PortError.Kind.TRANSIENT;
            case 404 -> PortError.Kind.NOT_FOUND;
            case 409 -> PortError.Kind.CONFLICT;
            default -> PortError.Kind.REJECTED;
        };
        String label = code == 0 ? "unreachable" : "HTTP " + code;
        if (code == 409 && "AlreadyExists".equals(reason)) {
            label = "AlreadyExists";
        }
        String detail = code == 0 && cause.getCause() != null ? String.valueOf(cause.getCause()) : message(body);
        return new PortError(kind, "Kubernetes", label, what + (detail.isEmpty() ? "" : ": " + detail), cause);
    }

    /** Client-side failures: I/O (transient) or something we cannot read (rejected). */
    private static PortError io(String what, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return new PortError(PortError.Kind.TRANSIENT, "Kubernetes", "unreachable", what + ": " + t, e);
            }
        }
        return new PortError(PortError.Kind.REJECTED, "Kubernetes", "error", what + ": " + e, e);
    }

    private static String reason(String body) {
        try {
            JsonObject status = JsonParser.parseString(body).getAsJsonObject();
            return status.has("reason") ? status.get("reason").getAsString() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String message(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonObject status = JsonParser.parseString(body).getAsJsonObject();
            if (status.has("message")) {
                return status.get("message").getAsString();
            }
        } catch (RuntimeException ignored) {
            // not a Status: show the start of it
        }
        String flat = body.replaceAll("\\s+", " ");
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
