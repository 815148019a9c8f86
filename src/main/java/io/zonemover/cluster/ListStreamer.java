package io.zonemover.cluster;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.gson.V1MetadataExclusionStrategy;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ListMeta;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.io.Reader;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a Kubernetes list response item by item, straight off the HTTP body, into the same client-java
 * model objects client-java would build.
 *
 * <p>client-java's own path reads the whole body into one String, builds a {@code JsonElement} tree of it,
 * and then, for every model object at every depth, builds the subtree again, validates it and binds it: on
 * a 10,000-pod list that costs seconds and most of a gigabyte. Here the models are bound by Gson's plain
 * reflective adapters (the same {@code @SerializedName} fields the generated adapters delegate to) with
 * client-java's own adapters for dates, byte arrays, {@code Quantity} and {@code IntOrString}, and the same
 * managedFields exclusion, so the objects are equal to client-java's ({@link Object#equals}); what is not
 * done is the per-object validation, which only ever rejects a response, never changes a value.
 *
 * <p>Errors are reported as client-java reports them: an {@link ApiException} with code 0 and the
 * {@link IOException} as cause when the server cannot be reached, or with the HTTP status, headers and
 * body when it answers with an error.
 */
final class ListStreamer {

    /** One page of a list: its items (null when the response had none) and its continue token. */
    record Page<T>(List<T> items, String continueToken) {
    }

    private static volatile Gson gson;

    private ListStreamer() {
    }

    /** A Gson with client-java's leaf adapters and exclusions, but no per-model tree-building adapters. */
    static Gson gson() {
        Gson g = gson;
        if (g == null) {
            synchronized (ListStreamer.class) {
                g = gson;
                if (g == null) {
                    Gson base = JSON.getGson();
                    GsonBuilder builder = new GsonBuilder()
                            .registerTypeAdapter(java.util.Date.class, base.getAdapter(java.util.Date.class))
                            .registerTypeAdapter(java.sql.Date.class, base.getAdapter(java.sql.Date.class))
                            .registerTypeAdapter(OffsetDateTime.class, new Timestamps(base.getAdapter(OffsetDateTime.class)))
                            .registerTypeAdapter(Quantity.class, new Quantities())
                            .registerTypeAdapter(LocalDate.class, base.getAdapter(LocalDate.class))
                            .registerTypeAdapter(byte[].class, base.getAdapter(byte[].class));
                    if (!Boolean.getBoolean("kubernetes.client.includeManagedFields")) {
                        builder.setExclusionStrategies(new V1MetadataExclusionStrategy());
                    }
                    g = builder.create();
                    gson = g;
                }
            }
        }
        return g;
    }

    /** Values repeat across a list (the same few quantities, timestamps to the second): parse each once. */
    private static final int CACHE_LIMIT = 20_000;

    /**
     * client-java's timestamp adapter, with a fast path for the plain RFC 3339 UTC form Kubernetes writes
     * ({@code 2024-05-01T12:00:00Z}) giving the very value its formatter gives; anything else goes to it.
     */
    static final class Timestamps extends TypeAdapter<OffsetDateTime> {
        private final TypeAdapter<OffsetDateTime> fallback;
        private final Map<String, OffsetDateTime> cache = new ConcurrentHashMap<>();

        Timestamps(TypeAdapter<OffsetDateTime> fallback) {
            this.fallback = fallback;
        }

        @Override
        public void write(JsonWriter out, OffsetDateTime value) throws IOException {
            fallback.write(out, value);
        }

        @Override
        public OffsetDateTime read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            String text = in.nextString();
            OffsetDateTime cached = cache.get(text);
            if (cached != null) {
                return cached;
            }
            OffsetDateTime value = parseUtcSeconds(text);
            if (value == null) {
                value = fallback.fromJsonTree(new JsonPrimitive(text));
            }
            if (value != null && cache.size() < CACHE_LIMIT) {
                cache.put(text, value);
            }
            return value;
        }

        /** {@code yyyy-MM-ddTHH:mm:ssZ} with every field in range, else null. */
        static OffsetDateTime parseUtcSeconds(String s) {
            if (s.length() != 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                    || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(19) != 'Z') {
                return null;
            }
            int year = digits(s, 0, 4);
            int month = digits(s, 5, 2);
            int day = digits(s, 8, 2);
            int hour = digits(s, 11, 2);
            int minute = digits(s, 14, 2);
            int second = digits(s, 17, 2);
            if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59
                    || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
                return null;
            }
            return OffsetDateTime.of(year, month, day, hour, minute, second, 0, ZoneOffset.UTC);
        }

        private static int digits(String s, int from, int count) {
            int value = 0;
            for (int i = from; i < from + count; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return -1_000_000;
                }
                value = value * 10 + (c - '0');
            }
            return value;
        }
    }

    /** {@link Quantity#fromString}, once per distinct string (a Quantity is immutable, so it is shared). */
    static final class Quantities extends TypeAdapter<Quantity> {
        private final Map<String, Quantity> cache = new ConcurrentHashMap<>();

        @Override
        public void write(JsonWriter out, Quantity value) throws IOException {
            new Quantity.QuantityAdapter().write(out, value);
        }

        @Override
        public Quantity read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            String text = in.nextString();
            Quantity cached = cache.get(text);
            if (cached != null) {
                return cached;
            }
            Quantity value = Quantity.fromString(text);
            if (cache.size() < CACHE_LIMIT) {
                cache.put(text, value);
            }
            return value;
        }
    }

    /** Executes a list call built by client-java ({@code buildCall(null)}) and reads its items of {@code type}. */
    static <T> Page<T> execute(Call call, Class<T> type) throws ApiException {
        try (Response response = call.execute()) {
            ResponseBody body = response.body();
            if (!response.isSuccessful()) {
                String text = null;
                if (body != null) {
                    try {
                        text = body.string();
                    } catch (IOException e) {
                        throw new ApiException(response.message(), e, response.code(), response.headers().toMultimap());
                    }
                }
                throw new ApiException(response.message(), response.code(), response.headers().toMultimap(), text);
            }
            if (body == null || response.code() == 204) {
                return new Page<>(null, null);
            }
            try {
                return read(body.charStream(), type);
            } catch (com.google.gson.JsonParseException | IllegalStateException | NumberFormatException e) {
                throw new ApiException(e);
            }
        } catch (IOException e) {
            throw new ApiException(e);
        }
    }

    /** Reads one list document ({@code {"metadata": {...}, "items": [...]}}), skipping every other field. */
    static <T> Page<T> read(Reader in, Class<T> type) throws IOException {
        Gson g = gson();
        TypeAdapter<T> items = g.getAdapter(type);
        JsonReader reader = new JsonReader(in);
        reader.setLenient(true);
        List<T> out = null;
        V1ListMeta meta = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String name = reader.nextName();
            if (reader.peek() == JsonToken.NULL) {
                reader.nextNull();
            } else if ("items".equals(name)) {
                out = new ArrayList<>();
                reader.beginArray();
                while (reader.hasNext()) {
                    T item = items.read(reader);
                    if (item != null) {
                        out.add(item);
                    }
                }
                reader.endArray();
            } else if ("metadata".equals(name)) {
                meta = g.getAdapter(V1ListMeta.class).read(reader);
            } else {
                reader.skipValue();
            }
        }
        reader.endObject();
        return new Page<>(out, meta == null ? null : meta.getContinue());
    }
}
