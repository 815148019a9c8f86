package io.zonemover.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server for tests: the one named by {@code ZONEMOVER_TEST_DB} (a JDBC URL of a user allowed to
 * create databases), else a private server started from Debian's binaries in a temporary directory, stopped at
 * JVM exit. Each caller gets a fresh database. Without either the test fails with a one-line how-to: CI must
 * not pass by skipping PostgreSQL.
 */
public final class PostgresServer {

    private static final String PASSWORD = "zm-test-" + UUID.randomUUID().toString().substring(0, 8);
    private static String adminUrl;

    private PostgresServer() {
    }

    /** A JDBC URL (user and password in it) of a new, empty database named after {@code label}. */
    public static synchronized String freshDatabase(String label) {
        String admin = adminUrl();
        String name = ("zm_" + label.replaceAll("[^A-Za-z0-9]", "_") + "_" + UUID.randomUUID().toString()
                .substring(0, 8)).toLowerCase(Locale.ROOT);
        name = name.length() > 60 ? name.substring(name.length() - 60) : name;
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database on " + redacted(admin) + ": "
                    + e.getMessage(), e);
        }
        return withDatabase(admin, name);
    }

    private static String adminUrl() {
        if (adminUrl == null) {
            String given = System.getenv("ZONEMOVER_TEST_DB");
            adminUrl = given != null && !given.isBlank() ? given : startPrivateServer();
        }
        return adminUrl;
    }

    /** jdbc:postgresql://host:port/DB?params with DB replaced by {@code database}. */
    static String withDatabase(String url, String database) {
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?');
        String head = slash < 0 ? (query < 0 ? url : url.substring(0, query)) : url.substring(0, slash);
        return head + "/" + database + (query < 0 ? "" : url.substring(query));
    }

    private static String redacted(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }

    private static String startPrivateServer() {
        Path bin = binaries();
        if (bin == null) {
            throw new IllegalStateException("PostgreSQL tests need a server: set ZONEMOVER_TEST_DB="
                    + "jdbc:postgresql://HOST:PORT/postgres?user=U&password=P, or install Debian's postgresql "
                    + "(apt-get install -y postgresql)");
        }
        try {
            Path dir = Files.createTempDirectory("zonemover-pg-");
            boolean root = "root".equals(System.getProperty("user.name"));
            Path pwfile = dir.resolve("pw");
            Files.writeString(pwfile, PASSWORD + "\n");
            if (root) {
                run(List.of("chown", "-R", "postgres", dir.toString()), dir);
            }
            Path data = dir.resolve("data");
            run(asServerUser(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")), dir);
            int port = 0;
            IOException last = null;
            for (int attempt = 0; attempt < 3 && port == 0; attempt++) {
                int candidate = freePort();
                try {
                    // Durability is not what these tests check; fsync off keeps a loaded CI machine quick.
                    run(asServerUser(root, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w",
                            "-t", "60", "-l", dir.resolve("log").toString(), "-o", "-p " + candidate + " -k " + dir
                                    + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                                    + " -c full_page_writes=off -c max_connections=200", "start")), dir);
                    port = candidate;
                } catch (IOException e) {
                    last = e;
                }
            }
            if (port == 0) {
                throw last;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(bin, data, dir, root)));
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&password=" + PASSWORD;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a private PostgreSQL from " + bin + ": " + e.getMessage()
                    + " (or set ZONEMOVER_TEST_DB to a server's JDBC URL)", e);
        }
    }

    private static void stop(Path bin, Path data, Path dir, boolean root) {
        try {
            run(asServerUser(root, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m",
                    "immediate", "stop")), dir);
        } catch (IOException ignored) {
            // The JVM is exiting; a server left behind dies with its directory below.
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Temporary directory: the OS cleans it up eventually.
        }
    }

    /** The newest /usr/lib/postgresql/VERSION/bin with initdb in it, or null. */
    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** PostgreSQL refuses to run as root: as root, the server's commands run as user postgres. */
    private static List<String> asServerUser(boolean root, List<String> command) {
        if (!root) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static void run(List<String> command, Path dir) throws IOException {
        Path log = Files.createTempFile("zonemover-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(command.size() > 4 ? 4 : 0) + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                String output = Files.readString(log).strip();
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
