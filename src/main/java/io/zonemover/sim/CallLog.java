package io.zonemover.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * The requests a world's endpoints received ({@link ApiCalls}), kept beside the world in {@code
 * DIR/api-calls.json} under the world's lock, so that every process serving the world adds to one count.
 *
 * <p>A file of its own rather than a part of {@code world.state}: most requests are reads that do not save the
 * world, and rewriting the whole world to count one of them would cost far more than this small file does.
 */
public final class CallLog {

    static final String FILE = "api-calls.json";

    private final WorldStore store;

    CallLog(WorldStore store) {
        this.store = store;
    }

    /** Counts one EC2 request; {@code errorCode} is null when it was answered 200. */
    public void ec2(String action, String errorCode) {
        update(calls -> calls.ec2(action, errorCode));
    }

    /** Counts one Kubernetes request ("list pods"). */
    public void kube(String verbAndResource) {
        update(calls -> calls.kube(verbAndResource));
    }

    /** The counts so far. */
    public ApiCalls read() {
        return store.locked(this::load);
    }

    /** Starts the counts again from zero; returns those it cleared. */
    public ApiCalls reset() {
        return store.locked(() -> {
            ApiCalls before = load();
            Files.deleteIfExists(file());
            return before;
        });
    }

    private void update(Consumer<ApiCalls> change) {
        store.locked(() -> {
            ApiCalls calls = load();
            change.accept(calls);
            save(calls);
            return null;
        });
    }

    private ApiCalls load() throws IOException {
        Path file = file();
        if (!Files.exists(file)) {
            return new ApiCalls();
        }
        return ApiCalls.fromJson(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Temp file then rename, as the world itself is saved: a kill leaves the old counts or the new. */
    private void save(ApiCalls calls) throws IOException {
        Path tmp = store.dir().resolve(FILE + ".tmp");
        Files.writeString(tmp, calls.toJson(), StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path file() {
        return store.dir().resolve(FILE);
    }
}
