package io.zonemover.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.api.RbacPolicy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A world that lives in a directory, shared by every process that opens it.
 *
 * <p>Each access takes an exclusive lock on {@code DIR/world.lock} (threads and processes alike), reloads
 * the world only if another process saved a newer one, advances it to the wall clock, runs the caller's
 * function, and saves atomically (temp file, then rename) when the caller changed something. A process
 * killed at any instant therefore leaves either the old or the new world on disk, never half of one.
 *
 * <p>The file holds three lines: a small header (sequence number, world clock, the wall clock it
 * was read at, time scale), the EC2 half, and the Kubernetes half. The header alone tells whether the
 * cached copy is current, so a read-only access in a process that is up to date costs no parsing.
 */
public final class WorldStore {

    public static final String STATE_FILE = "world.state";
    /** The RBAC policy every server of this world enforces, when it enforces one ({@link #enforce}). */
    public static final String RBAC_FILE = "rbac.json";
    static final String LOCK_FILE = "world.lock";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    /**
     * One lock per world directory for the whole JVM: a file lock is held per process, so two stores of the
     * same world in one process (a command and the test reading the world after it, a server thread still
     * finishing a request) must take turns here, or the second file lock throws OverlappingFileLockException.
     */
    private static final java.util.concurrent.ConcurrentHashMap<Path, ReentrantLock> LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final ReentrantLock threadLock;
    private final CallLog calls = new CallLog(this);
    private World cached;
    private long cachedSeq = -1;
    private Header header;

    private WorldStore(Path dir) {
        this.dir = dir;
        this.threadLock = LOCKS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
    }

    /** Opens an existing world; fails with a message naming the problem when DIR is not one. */
    public static WorldStore open(Path dir) {
        Path state = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(state)) {
            throw new NotAWorldException(dir);
        }
        WorldStore store = new WorldStore(dir);
        store.read(w -> null);
        return store;
    }

    /** Writes a new world into DIR (created if missing); refuses a directory that already holds one. */
    public static WorldStore create(Path dir, World world, double timeScale, String scenario) {
        try {
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve(STATE_FILE))) {
                throw new IllegalArgumentException("a world already exists in " + dir);
            }
            WorldStore store = new WorldStore(dir);
            store.header = new Header(0, world.now(), System.currentTimeMillis(), timeScale, scenario);
            store.withFileLock(() -> {
                // A new world has received no calls (a count left by an earlier world in DIR is not its), and
                // authorizes nothing it was not told to.
                Files.deleteIfExists(dir.resolve(CallLog.FILE));
                Files.deleteIfExists(dir.resolve(RBAC_FILE));
                store.save(world);
                return null;
            });
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** World seconds per wall-clock second (0: the clock moves only when told). */
    public double timeScale() {
        return read(w -> header.timeScale);
    }

    /**
     * From now on, every process that serves this world authorizes its Kubernetes requests with {@code policy}
     * (a server already running keeps what it started with). Kept beside the world in {@value #RBAC_FILE}.
     */
    public void enforce(RbacPolicy policy) {
        locked(() -> {
            Path tmp = dir.resolve(RBAC_FILE + ".tmp");
            Files.writeString(tmp, policy.toJson(), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(RBAC_FILE), StandardCopyOption.REPLACE_EXISTING);
            return null;
        });
    }

    /** The RBAC policy this world's servers enforce; empty when they allow every request. */
    public Optional<RbacPolicy> rbac() {
        return locked(() -> {
            Path file = dir.resolve(RBAC_FILE);
            return Files.exists(file) ? Optional.of(RbacPolicy.fromJson(Files.readString(file, StandardCharsets.UTF_8)))
                    : Optional.empty();
        });
    }

    /** The requests this world's endpoints received, from every process that served it. */
    public CallLog calls() {
        return calls;
    }

    /**
     * What {@code sim show --json} prints: {@link World#show()}, plus {@code apiCalls} ({@link ApiCalls#show()})
     * once the endpoints received any, placed before {@code history}, which stays last.
     */
    public Map<String, Object> show() {
        return read(world -> {
            Map<String, Object> view = world.show();
            ApiCalls counted = calls.read();
            if (counted.isEmpty()) {
                return view;
            }
            Map<String, Object> out = new LinkedHashMap<>(view);
            Object history = out.remove("history");
            out.put("apiCalls", counted.show());
            out.put("history", history);
            return out;
        });
    }

    /** Runs {@code fn} on the current world without saving what it changed (reads, lazily computed writes). */
    public <T> T read(Function<World, T> fn) {
        return access(fn, false);
    }

    /** Runs {@code fn} on the current world and saves the result. */
    public <T> T write(Function<World, T> fn) {
        return access(fn, true);
    }

    private <T> T access(Function<World, T> fn, boolean mutating) {
        return withFileLock(() -> {
            World world = current();
            long wall = System.currentTimeMillis();
            long target = header.clock + (long) ((wall - header.wall) * header.timeScale);
            try {
                world.advanceTo(Math.max(target, world.now()));
                T result = fn.apply(world);
                if (mutating) {
                    world.settle();
                    save(world);
                }
                return result;
            } catch (RuntimeException | IOException e) {
                // A half-applied change must not outlive the request: reload from disk next time. A read changed
                // nothing (a 404 is its most common answer), so its world stays: reloading costs a whole parse.
                if (mutating) {
                    cached = null;
                    cachedSeq = -1;
                }
                throw e;
            }
        });
    }

    /** Runs {@code body} holding the world's lock (threads and processes), without reading the world. */
    <T> T locked(IoSupplier<T> body) {
        return withFileLock(body);
    }

    private <T> T withFileLock(IoSupplier<T> body) {
        if (threadLock.isHeldByCurrentThread()) {
            // Nested (sim show reads the counts inside a read of the world): the file lock is already ours, and
            // asking for it again in this JVM would throw OverlappingFileLockException.
            try {
                return body.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        threadLock.lock();
        try (FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            return body.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            threadLock.unlock();
        }
    }

    /** Returns the cached world if it is still the newest on disk, else loads it. Caller holds the lock. */
    private World current() throws IOException {
        Path state = dir.resolve(STATE_FILE);
        try (BufferedReader reader = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
            Header onDisk = Header.parse(reader.readLine());
            if (cached != null && onDisk.seq == cachedSeq) {
                return cached;
            }
            String ec2Json = reader.readLine();
            String kubeJson = reader.readLine();
            if (ec2Json == null || kubeJson == null) {
                throw new IOException("world file " + state + " is truncated");
            }
            header = onDisk;
            cached = new World(Ec2World.fromJson(ec2Json), KubeWorld.fromJson(kubeJson), onDisk.clock);
            cachedSeq = onDisk.seq;
            return cached;
        } catch (NoSuchFileException e) {
            throw new NotAWorldException(dir);
        }
    }

    private void save(World world) throws IOException {
        long wall = System.currentTimeMillis();
        Header next = new Header(header.seq + 1, world.now(), wall, header.timeScale, header.scenario);
        Path tmp = dir.resolve(STATE_FILE + ".tmp");
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            out.write((next.toLine() + "\n" + world.ec2().toJson() + "\n").getBytes(StandardCharsets.UTF_8));
            world.kube().writeJson(out);
            out.write('\n');
        }
        try {
            Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        header = next;
        cached = world;
        cachedSeq = next.seq;
    }

    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }

    private record Header(long seq, long clock, long wall, double timeScale, String scenario) {

        static Header parse(String line) throws IOException {
            if (line == null) {
                throw new IOException("empty world file");
            }
            JsonNode node = JSON.readTree(line);
            if (node.path("format").asInt() != FORMAT) {
                throw new IOException("unsupported world format " + node.path("format"));
            }
            return new Header(node.path("seq").asLong(), node.path("clock").asLong(), node.path("wall").asLong(),
                    node.path("timeScale").asDouble(1.0), node.path("scenario").asText(""));
        }

        String toLine() {
            ObjectNode node = JSON.createObjectNode();
            node.put("format", FORMAT);
            node.put("seq", seq);
            node.put("clock", clock);
            node.put("wall", wall);
            node.put("timeScale", timeScale);
            node.put("scenario", scenario);
            return node.toString();
        }
    }

    /** DIR does not hold a world: the one-line error users see. */
    public static final class NotAWorldException extends RuntimeException {
        public NotAWorldException(Path dir) {
            super(dir + " is not a simulated world (no " + STATE_FILE + "; create one with `zonemover sim init "
                    + dir + " --scenario stuck-pod`)");
        }
    }
}
