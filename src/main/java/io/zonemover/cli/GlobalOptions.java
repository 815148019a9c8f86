package io.zonemover.cli;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.sim.WorldStore;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import software.amazon.awssdk.profiles.ProfileFile;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The options every command accepts, before or after the subcommand's name. */
public final class GlobalOptions {

    public enum Output { table, json }

    /** The environment variable naming the state database when --db is not given. */
    static final String DB_ENV = "ZONEMOVER_DB";
    /** The environment variable giving the lease length when --lease is not given. */
    static final String LEASE_ENV = "ZONEMOVER_LEASE";
    private static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    private static final Duration SHORTEST_LEASE = Duration.ofSeconds(2);
    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    /** What H2 adds to the base name of a file database. */
    static final String H2_SUFFIX = ".mv.db";
    private static final byte[] H2_MAGIC = "H:2,".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

    /**
     * SQLStates that mean the database named by --db cannot be opened as given (wrong file, wrong URL,
     * wrong password, held by another program), as opposed to a failure while working in it.
     */
    private static final Set<String> BAD_DATABASE_STATES = Set.of(
            "08001", // no JDBC driver takes the URL
            "28000", // wrong user name or password
            "90011", // implicitly relative file path
            "90013", "90146", "90149", // database not found (IFEXISTS=TRUE, remote)
            "90020", // database may be already in use
            "90030", "90048", // file corrupted, unsupported file version or not an H2 file
            "90031", "90062", // cannot create the file or its directories
            "90046", // URL format error
            "90113"); // unsupported connection setting

    @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster config).")
    Path kubeconfig;

    @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Kubeconfig context to use (default: the current context).")
    String context;

    @Option(names = "--region", scope = ScopeType.INHERIT, paramLabel = "REGION",
            description = "AWS region (default: the AWS SDK's region chain: AWS_REGION, profile, instance metadata).")
    String region;

    @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "AWS shared-config profile for credentials (default: the AWS default credential chain).")
    String profile;

    @Option(names = "--ec2-endpoint", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "EC2 endpoint to use instead of the region's (a VPC endpoint, or a simulated world's).")
    URI ec2Endpoint;

    @Option(names = "--db", scope = ScopeType.INHERIT, paramLabel = "PATH|JDBC_URL",
            description = "Job state database: an H2 file (PATH, stored as PATH.mv.db) or a JDBC URL such as "
                    + "jdbc:postgresql://HOST:5432/DB?user=U&password=P to share jobs as a team (default: "
                    + "$ZONEMOVER_DB, else H2 file ~/.zonemover/state; with --sim, DIR/state).")
    String db;

    @Option(names = "--lease", scope = ScopeType.INHERIT, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a running job's lease lasts without renewal (renewed every third of it): after "
                    + "a crash on another machine, how long until another may resume the job (default: "
                    + "$ZONEMOVER_LEASE, else 30s).")
    Duration lease;

    @Option(names = "--sim", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Run against the simulated world in DIR (see `zonemover sim init`) instead of a real cluster and AWS.")
    Path sim;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: table).")
    Output output = Output.table;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show stack traces and debug detail on errors.")
    boolean verbose;

    public boolean json() {
        return output == Output.json;
    }

    public Path sim() {
        return sim;
    }

    public boolean verbose() {
        return verbose;
    }

    /** The state database as given: --db, else $ZONEMOVER_DB, else null (the default file). */
    private String db() {
        if (db != null) {
            return db;
        }
        String env = System.getenv(DB_ENV);
        return env == null || env.isBlank() ? null : env.strip();
    }

    /** How long a job's lease lasts without renewal: --lease, else $ZONEMOVER_LEASE, else 30 s. */
    public Duration lease() {
        if (lease != null) {
            return lease;
        }
        String env = System.getenv(LEASE_ENV);
        if (env == null || env.isBlank()) {
            return DEFAULT_LEASE;
        }
        try {
            return new DurationConverter().convert(env);
        } catch (RuntimeException e) {
            throw ZonemoverException.badInput(LEASE_ENV + "=" + env + ": " + e.getMessage());
        }
    }

    /** Whether the state database is PostgreSQL (a URL of the PostgreSQL driver). */
    boolean postgres() {
        String given = db();
        return given != null && given.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:");
    }

    /** The JDBC URL of the job state database. */
    public String jdbcUrl() {
        String db = db();
        if (db != null && db.startsWith("jdbc:")) {
            return db;
        }
        Path base = db != null ? h2Base(Path.of(db))
                : sim != null ? sim.toAbsolutePath().resolve("state")
                : Path.of(System.getProperty("user.home"), ".zonemover", "state");
        // AUTO_SERVER lets `jobs list` in a second terminal read while a migration holds the file.
        // WRITE_DELAY=0: H2 has no write-ahead log and by default writes commits up to 500 ms later, so a
        // kill -9 could lose a checkpoint whose action already happened; this writes each commit at once.
        // TRACE_LEVEL_FILE=0: no PATH.trace.db; it grew on every start (the schema script's "already exists"),
        // and errors reach users through the command's own message.
        return "jdbc:h2:file:" + base + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0";
    }

    /**
     * Checks what the options name, touching neither the network nor the files (nothing is created), so
     * that bad input is refused before a command changes anything. Throws {@link ZonemoverException} of
     * kind bad input, with a message that names the option.
     */
    public void validate() {
        if (sim != null && !Files.isRegularFile(sim.resolve(WorldStore.STATE_FILE))) {
            throw ZonemoverException.badInput("--sim " + new WorldStore.NotAWorldException(sim).getMessage());
        }
        validateDatabase();
        Duration leaseLength = lease();
        if (leaseLength.compareTo(SHORTEST_LEASE) < 0) {
            throw ZonemoverException.badInput((lease != null ? "--lease" : LEASE_ENV) + " " + leaseLength.toMillis()
                    + "ms: too short to renew reliably (at least 2s)");
        }
        if (ec2Endpoint != null) {
            String scheme = ec2Endpoint.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || ec2Endpoint.getHost() == null) {
                throw ZonemoverException.badInput("--ec2-endpoint " + ec2Endpoint
                        + ": not an http(s) URL with a host (like https://ec2.us-east-1.amazonaws.com)");
            }
        }
        if (region != null && !REGION.matcher(region).matches()) {
            throw ZonemoverException.badInput("--region " + region + ": not an AWS region name (like us-east-1)");
        }
        if (profile != null) {
            boolean known;
            try {
                known = ProfileFile.defaultProfileFile().profile(profile).isPresent();
            } catch (RuntimeException e) {
                throw ZonemoverException.badInput("--profile " + profile + ": cannot read the AWS config files: "
                        + firstLine(e.getMessage()));
            }
            if (!known) {
                throw ZonemoverException.badInput("--profile " + profile
                        + ": no such profile in the AWS config files (~/.aws/config, ~/.aws/credentials)");
            }
        }
    }

    /**
     * The state database as users name it in messages: the --db (or $ZONEMOVER_DB) value with any password
     * masked, or the default file.
     */
    String databaseLabel() {
        String db = db();
        if (db != null) {
            return (this.db != null ? "--db " : DB_ENV + "=") + redacted(db);
        }
        String url = jdbcUrl();
        return "state database " + url.substring("jdbc:h2:file:".length(), url.indexOf(';')) + H2_SUFFIX;
    }

    /**
     * Bad input, named after --db, if {@code failure} (or a cause) is a database error that says the state
     * database cannot be opened as given; null otherwise. {@code opening}: the error came while opening it,
     * where an I/O error also means the file is not a usable H2 database.
     */
    ZonemoverException databaseProblem(Throwable failure, boolean opening) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                String what = postgres() ? postgresProblem(sql, opening) : switch (state) {
                    case "28000" -> "the database refused the user name or password (zonemover connects as sa"
                            + " with no password)";
                    case "90020" -> "in use by another program (" + h2Message(sql) + ")";
                    case "90030", "90048" -> "not an H2 database (or one from another H2 version)";
                    case "08001" -> "no JDBC driver takes this URL (give a file path, or jdbc:h2:file:/PATH)";
                    default -> BAD_DATABASE_STATES.contains(state) || opening && (state.startsWith("08")
                            || state.equals("90028")) ? h2Message(sql) : null;
                };
                if (what != null && !(!postgres() && "90067".equals(state))) {
                    return new ZonemoverException(ZonemoverException.Kind.BAD_INPUT,
                            databaseLabel() + ": " + what, failure);
                }
            }
        }
        return null;
    }

    /** What a PostgreSQL SQLState says is wrong with --db as given, or null for a failure while working in it. */
    private static String postgresProblem(SQLException sql, boolean opening) {
        String message = redacted(firstLine(sql.getMessage()));
        return switch (sql.getSQLState()) {
            case "28P01", "28000" -> "the server refused the user name or password (" + message + ")";
            case "3D000" -> "no such database on the server (" + message + "); create it first";
            case "3F000" -> "no such schema (" + message + ")";
            case "42501" -> opening ? "the user may not create or use zonemover's tables (" + message + ")" : null;
            case "08001", "08004", "08006" -> opening ? "cannot connect to the server (" + message + ")" : null;
            default -> null;
        };
    }

    /** The URL with any password=... masked: messages name the database, never its secret. */
    static String redacted(String text) {
        return text == null ? null : PASSWORD.matcher(text).replaceAll("$1***");
    }

    /**
     * The file checks for the state database the commands that run jobs open, the default one included
     * (--db itself is checked by {@link #validate()} for every command).
     */
    void validateStateDatabase() {
        if (db() != null) {
            validateDatabase();
        } else {
            String url = jdbcUrl();
            checkH2File(Path.of(url.substring("jdbc:h2:file:".length(), url.indexOf(';'))));
        }
    }

    private void validateDatabase() {
        String db = db();
        if (db == null) {
            return;
        }
        if (db.isBlank() || db.indexOf(';') >= 0 && !db.startsWith("jdbc:")) {
            throw ZonemoverException.badInput(databaseLabel() + ": not a file path or a JDBC URL");
        }
        if (db.startsWith("jdbc:")) {
            try {
                DriverManager.getDriver(db);
            } catch (SQLException e) {
                throw ZonemoverException.badInput(databaseLabel() + ": no JDBC driver takes this URL (give a file "
                        + "path, jdbc:h2:file:/PATH or jdbc:postgresql://HOST:PORT/DB?user=U&password=P)");
            }
            Path file = h2FileOf(db);
            if (file != null) {
                checkH2File(file);
            }
            return;
        }
        Path given = Path.of(db).toAbsolutePath();
        if (Files.isDirectory(given)) {
            throw ZonemoverException.badInput(databaseLabel() + ": is a directory (give a file path such as "
                    + given.resolve("state") + ")");
        }
        if (Files.exists(given) && !given.toString().endsWith(H2_SUFFIX)) {
            throw ZonemoverException.badInput(databaseLabel() + ": not an H2 database (H2 files end in "
                    + H2_SUFFIX + ")");
        }
        checkH2File(h2Base(given));
    }

    /** The file checks for an H2 database whose base name (without .mv.db) is {@code base}. */
    private void checkH2File(Path base) {
        Path file = Path.of(base + H2_SUFFIX);
        if (Files.exists(file)) {
            if (!Files.isRegularFile(file) || hasH2Header(file) == Boolean.FALSE) {
                throw ZonemoverException.badInput(databaseLabel() + ": not an H2 database (" + file + ")");
            }
            if (!Files.isWritable(file) || !Files.isWritable(file.getParent())) {
                throw ZonemoverException.badInput(databaseLabel() + ": cannot write " + file);
            }
            return;
        }
        Path existing = file.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw ZonemoverException.badInput(databaseLabel() + ": no such directory " + file.getParent());
        }
        if (!Files.isDirectory(existing)) {
            throw ZonemoverException.badInput(databaseLabel() + ": " + existing + " is not a directory");
        }
        if (!canCreateIn(existing)) {
            throw ZonemoverException.badInput(databaseLabel() + ": cannot write in " + existing);
        }
    }

    /** Permission bits do not bind root; a file made and removed at once answers for every user. */
    private static boolean canCreateIn(Path dir) {
        if (!Files.isWritable(dir)) {
            return false;
        }
        try {
            Files.delete(Files.createTempFile(dir, ".zonemover-", ".probe"));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the file starts as every H2 file does; null if it cannot be read (then H2 itself will tell). */
    private static Boolean hasH2Header(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(H2_MAGIC.length), H2_MAGIC);
        } catch (IOException e) {
            return null;
        }
    }

    /** H2 adds .mv.db to the name it is given; a user may name the file itself. */
    private static Path h2Base(Path path) {
        Path absolute = path.toAbsolutePath();
        String s = absolute.toString();
        return s.endsWith(H2_SUFFIX) ? Path.of(s.substring(0, s.length() - H2_SUFFIX.length())) : absolute;
    }

    /** The base path of an embedded H2 file URL (jdbc:h2:file:/x, jdbc:h2:/x, jdbc:h2:~/x), else null. */
    static Path h2FileOf(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("jdbc:h2:")) {
            return null;
        }
        String rest = url.substring("jdbc:h2:".length());
        int semicolon = rest.indexOf(';');
        if (semicolon >= 0) {
            rest = rest.substring(0, semicolon);
        }
        if (rest.toLowerCase(Locale.ROOT).startsWith("file:")) {
            rest = rest.substring("file:".length());
        } else if (rest.matches("(?i)[a-z]+:.*")) {
            return null; // mem:, tcp:, ssl:, zip:, nio: ...: not a plain file here
        }
        if (rest.startsWith("~")) {
            rest = System.getProperty("user.home") + rest.substring(1);
        }
        Path path = Path.of(rest);
        if (!path.isAbsolute() && !rest.startsWith("./") && !rest.startsWith("../")) {
            return null; // H2 refuses implicitly relative paths itself, with its own message
        }
        return h2Base(path);
    }

    private static String h2Message(SQLException e) {
        // "IO Exception: "/x/state.mv.db" [90028-240]": drop H2's error code and version.
        return firstLine(e.getMessage()).replaceFirst("\\s*\\[\\d+-\\d+]\\s*$", "");
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        return message.lines().findFirst().orElse(message).strip();
    }
}
