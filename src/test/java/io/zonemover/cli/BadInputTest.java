package io.zonemover.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input as a new user types it, across the commands: each is refused with exit 2 and one line that
 * starts {@code zonemover: error:} and names what was wrong, no Java in sight, and nothing changed on
 * disk (no state database created, the simulated world untouched). A few valid commands keep the test
 * honest the other way: the checks must not refuse good input.
 */
class BadInputTest {

    @TempDir
    static Path root;

    /** A world that must stay exactly as created (no state database either). */
    static Path world;
    /** A world with a state database, for the "no such job" cases. */
    static Path worldWithJobs;
    /** A world the valid commands may change. */
    static Path worldForValid;
    static Path emptyDir;
    static Path textFile;
    static Path fakeH2;
    static Path passwordH2;
    static Path unwritable;
    static Path goodKubeconfig;
    static Path noContextKubeconfig;
    static Path malformedKubeconfig;
    static Path emptyKubeconfig;

    @BeforeAll
    static void createInputs() throws Exception {
        world = root.resolve("world");
        worldWithJobs = root.resolve("world-with-jobs");
        worldForValid = root.resolve("world-valid");
        for (Path w : new Path[] {world, worldWithJobs, worldForValid}) {
            Run init = run("sim", "init", w.toString(), "--scenario", "stuck-pod");
            assertThat(init.exit()).as(init.err()).isZero();
        }
        Run list = run("--sim", worldWithJobs.toString(), "jobs", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(worldWithJobs.resolve("state.mv.db")).exists();

        emptyDir = Files.createDirectories(root.resolve("empty"));
        textFile = Files.writeString(root.resolve("notes.txt"), "not a database\n");
        fakeH2 = Files.writeString(root.resolve("fake.mv.db"), "not a database either\n");
        passwordH2 = root.resolve("guarded");
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + passwordH2, "sa", "secret")) {
            c.createStatement().execute("CREATE TABLE T(X INT)");
        }
        Path readOnly = Files.createDirectories(root.resolve("read-only"));
        readOnly.toFile().setWritable(false, false);
        // Permission bits do not bind root (CI runs as root): /proc/self takes no new files from anyone.
        unwritable = Files.isWritable(readOnly) ? Path.of("/proc/self/zonemover/state") : readOnly.resolve("state");

        String cluster = "apiVersion: v1\nkind: Config\n"
                + "clusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]\n"
                + "users: [{name: u, user: {token: t}}]\n"
                + "contexts: [{name: ctx, context: {cluster: c, user: u}}]\n";
        noContextKubeconfig = Files.writeString(root.resolve("kubeconfig-no-context"), cluster);
        goodKubeconfig = Files.writeString(root.resolve("kubeconfig"), cluster + "current-context: ctx\n");
        malformedKubeconfig = Files.writeString(root.resolve("kubeconfig-malformed"), "this: is: not: [yaml\n");
        emptyKubeconfig = Files.writeString(root.resolve("kubeconfig-empty"), "");
    }

    static Stream<Arguments> badInputs() {
        String w = world.toString();
        String jobsWorld = worldWithJobs.toString();
        String claim = "default/www-web-3";
        return Stream.of(
                // migrate
                bad("foo", "migrate", "foo", "--to", "auto"),
                bad("--to", "--sim", w, "migrate", claim),
                bad("--bogus", "--sim", w, "migrate", claim, "--to", "auto", "--bogus"),
                bad("mars", "--sim", w, "migrate", claim, "--to", "mars", "--dry-run"),
                bad("--ready-timeout", "--sim", w, "migrate", claim, "--to", "auto", "--ready-timeout", "0s"),
                bad("--ready-timeout", "--sim", w, "migrate", claim, "--to", "auto", "--ready-timeout", "-5m"),
                bad("10 parsecs", "--sim", w, "migrate", claim, "--to", "auto", "--ready-timeout", "10 parsecs"),
                bad("-PT5M", "--sim", w, "migrate", claim, "--to", "auto", "--ready-timeout", "-PT5M"),
                bad("--ready-timeout", "--sim", w, "migrate", claim, "--to", "auto", "--ready-timeout",
                        "99999999999999999999h"),
                bad("--poll-interval", "--sim", w, "migrate", claim, "--to", "auto", "--poll-interval", "0ms"),
                bad("default/nope", "--sim", jobsWorld, "migrate", "default/nope", "--to", "auto", "--dry-run"),
                bad("yaml", "--sim", w, "migrate", claim, "--to", "auto", "-o", "yaml"),
                // rebalance
                bad("select StatefulSets", "--sim", w, "rebalance", "plan"),
                bad("-n and -A", "--sim", w, "rebalance", "plan", "-n", "default", "-A"),
                bad("'web'", "--sim", w, "rebalance", "plan", "web"),
                bad("us-east-1z", "--sim", w, "rebalance", "plan", "-n", "default", "--evacuate", "us-east-1z"),
                bad("--parallel", "--sim", w, "rebalance", "plan", "-n", "default", "--parallel", "0"),
                bad("--max-unavailable", "--sim", w, "rebalance", "plan", "-n", "default", "--max-unavailable", "0"),
                bad("--zones", "--sim", w, "rebalance", "plan", "-n", "default", "--zones", "us-east-1b"),
                bad("--evacuate", "--sim", w, "rebalance", "plan", "-n", "default", "--spread", "--evacuate", "us-east-1b"),
                bad("default/nope", "--sim", w, "rebalance", "plan", "sts/nope"),
                bad("no StatefulSet", "--sim", w, "rebalance", "plan", "-n", "nowhere"),
                bad("missing.yaml", "--sim", w, "rebalance", "apply", root.resolve("missing.yaml").toString()),
                bad("notes.txt", "--sim", w, "rebalance", "apply", root.resolve("notes.txt").toString()),
                bad("--max-failures", "--sim", w, "rebalance", "apply", root.resolve("notes.txt").toString(),
                        "--max-failures", "0"),
                // jobs
                bad("ID", "--sim", jobsWorld, "jobs", "show"),
                bad("zm-nope", "--sim", jobsWorld, "jobs", "show", "zm-nope"),
                bad("zm-nope", "--sim", jobsWorld, "jobs", "resume", "zm-nope", "--yes"),
                bad("zm-nope", "--sim", jobsWorld, "jobs", "rollback", "zm-nope", "--yes"),
                bad("--poll-interval", "--sim", jobsWorld, "jobs", "resume", "zm-1", "--poll-interval", "-1s"),
                bad("frobnicate", "--sim", w, "jobs", "frobnicate"),
                bad("xml", "--sim", w, "jobs", "list", "-o", "xml"),
                bad("--bogus", "--sim", w, "jobs", "list", "--bogus"),
                // --db
                bad(textFile.toString(), "--sim", w, "--db", textFile.toString(), "jobs", "list"),
                bad(emptyDir.toString(), "--sim", w, "--db", emptyDir.toString(), "jobs", "list"),
                bad(unwritable.toString(), "--sim", w, "--db", unwritable.toString(), "jobs", "list"),
                bad("jdbc:nonsense:x", "--sim", w, "--db", "jdbc:nonsense:x", "jobs", "list"),
                bad("not an H2 database", "--sim", w, "--db", fakeH2.toString(), "jobs", "list"),
                bad("not an H2 database", "--sim", w, "--db", "jdbc:h2:file:" + root.resolve("fake"), "jobs", "list"),
                bad("--db", "--sim", w, "--db", textFile.resolve("state").toString(), "jobs", "list"),
                bad("password", "--sim", w, "--db", passwordH2.toString(), "jobs", "list"),
                bad("--db", "--sim", w, "--db", "jdbc:h2:file:" + root.resolve("new") + ";NO_SUCH_SETTING=1", "jobs",
                        "list"),
                bad("--db", "--sim", w, "migrate", claim, "--to", "auto", "--dry-run", "--db", textFile.toString()),
                bad("--db", "--sim", w, "--db", emptyDir.toString(), "jobs", "show", "zm-1"),
                // --sim
                bad(emptyDir.toString(), "--sim", emptyDir.toString(), "diagnose"),
                bad(emptyDir.toString(), "--sim", emptyDir.toString(), "jobs", "list"),
                bad("missing", "--sim", root.resolve("missing").toString(), "migrate", claim, "--to", "auto", "--yes"),
                bad(textFile.toString(), "--sim", textFile.toString(), "diagnose"),
                // kubeconfig and context
                bad("missing-kubeconfig", "--kubeconfig", root.resolve("missing-kubeconfig").toString(), "diagnose"),
                bad(malformedKubeconfig.toString(), "--kubeconfig", malformedKubeconfig.toString(), "diagnose"),
                bad(emptyKubeconfig.toString(), "--kubeconfig", emptyKubeconfig.toString(), "diagnose"),
                bad(emptyDir.toString(), "--kubeconfig", emptyDir.toString(), "diagnose"),
                bad("current-context", "--kubeconfig", noContextKubeconfig.toString(), "diagnose"),
                bad("current-context", "--kubeconfig", noContextKubeconfig.toString(), "storageclass", "fix", "gp2",
                        "--yes"),
                bad("current-context", "--kubeconfig", noContextKubeconfig.toString(), "--sim", w, "migrate", claim,
                        "--to", "auto", "--yes"),
                bad("nope", "--kubeconfig", goodKubeconfig.toString(), "--context", "nope", "diagnose"),
                bad("nope", "--kubeconfig", goodKubeconfig.toString(), "--context", "nope", "--sim", w, "jobs",
                        "resume", "zm-1", "--yes"),
                bad("--context", "--sim", w, "--context", "nope", "diagnose"),
                // diagnose
                bad("yaml", "--sim", w, "diagnose", "-o", "yaml"),
                bad("--namespace", "--sim", w, "diagnose", "-n", "default", "-A"),
                bad("--bogus", "--sim", w, "diagnose", "--bogus"),
                // snapshot
                bad("--keep", "--sim", w, "snapshot", "--keep", "0", "--yes"),
                bad("--keep", "--sim", w, "snapshot", "-A", "--keep", "-3", "--dry-run"),
                bad("abc", "--sim", w, "snapshot", "--keep", "abc", "--yes"),
                bad("app in (web", "--sim", w, "snapshot", "-l", "app in (web", "--yes"),
                bad("Tier_", "--sim", w, "snapshot", "-A", "-l", "Tier_=db", "--yes"),
                bad("--namespace", "--sim", w, "snapshot", "-n", "default", "-A", "--yes"),
                bad("Not_A_Namespace", "--sim", w, "snapshot", "-n", "Not_A_Namespace", "--yes"),
                bad("--bogus", "--sim", w, "snapshot", "--bogus"),
                // cleanup
                bad("--older-than", "--sim", w, "cleanup", "--older-than", "soon", "--dry-run"),
                bad("--older-than", "--sim", w, "cleanup", "--older-than", "0d", "--yes"),
                bad("not-a-volume", "--sim", w, "cleanup", "not-a-volume", "--dry-run"),
                // sim
                bad("nope", "sim", "init", root.resolve("new-world").toString(), "--scenario", "nope"),
                bad("--scenario", "sim", "init", root.resolve("new-world").toString()),
                bad("--time-scale", "sim", "init", root.resolve("new-world").toString(), "--scenario", "stuck-pod",
                        "--time-scale", "0"),
                bad("NaN", "sim", "init", root.resolve("new-world").toString(), "--scenario", "stuck-pod",
                        "--time-scale", "NaN"),
                bad(textFile.toString(), "sim", "init", textFile.toString(), "--scenario", "stuck-pod"),
                bad(w, "sim", "init", w, "--scenario", "healthy"),
                bad(emptyDir.toString(), "sim", "show", emptyDir.toString()),
                bad("missing", "sim", "show", root.resolve("missing").toString()),
                bad(emptyDir.toString(), "sim", "fault", emptyDir.toString(), "--throttle", "1"),
                bad("foo", "sim", "fault", w, "--never-ready", "foo"),
                bad("x", "sim", "fault", w, "--throttle", "x"),
                bad("bogus", "sim", "bogus"),
                // storageclass
                bad("NAME", "--sim", w, "storageclass", "fix"),
                bad("nope", "--sim", w, "storageclass", "fix", "nope", "--yes"),
                // demo
                bad("nope", "demo", "--scenario", "nope"),
                bad("abc", "demo", "--time-scale", "abc"),
                bad("--bogus", "demo", "--bogus"),
                // global
                bad("--ec2-endpoint", "--ec2-endpoint", "foo", "--sim", w, "diagnose"),
                bad("--ec2-endpoint", "--ec2-endpoint", "a b", "--sim", w, "diagnose"),
                bad("mars", "--region", "mars", "--sim", w, "diagnose"),
                bad("no-such-profile-zz", "--profile", "no-such-profile-zz", "--sim", w, "diagnose"),
                bad("frobnicate", "frobnicate"),
                bad("command", new String[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void refusedWithOneLineAndNothingChanged(String[] args, String names) {
        Map<String, String> before = disk();
        Run run = run(args);

        assertThat(run.exit()).as("exit code; stderr: %s", run.err()).isEqualTo(2);
        assertThat(run.err().strip().lines()).as("stderr is one line").hasSize(1);
        assertThat(run.err()).startsWith("zonemover: error: ").contains(names)
                .doesNotContain("Exception", "bean", "at io.", "\tat ");
        assertThat(run.out()).as("nothing on stdout").isEmpty();
        assertThat(disk()).as("nothing changed on disk").isEqualTo(before);
    }

    static Stream<Arguments> validInputs() {
        String w = worldForValid.toString();
        return Stream.of(
                Arguments.of(Named.of("sim show", new String[] {"sim", "show", w}), 0),
                Arguments.of(Named.of("diagnose finds the stuck pod", new String[] {"--sim", w, "diagnose"}), 1),
                Arguments.of(Named.of("migrate --dry-run with a positive --ready-timeout",
                        new String[] {"--sim", w, "migrate", "default/www-web-3", "--to", "auto", "--dry-run",
                                "--ready-timeout", "90s"}), 0),
                Arguments.of(Named.of("--db as a path in a directory still to be made",
                        new String[] {"--sim", w, "--db", root.resolve("made/later/state").toString(), "jobs",
                                "list"}), 0),
                Arguments.of(Named.of("--db as the .mv.db file it made",
                        new String[] {"--sim", w, "--db", root.resolve("made/later/state.mv.db").toString(), "jobs",
                                "list", "-o", "json"}), 0),
                Arguments.of(Named.of("--db as an H2 JDBC URL",
                        new String[] {"--sim", w, "--db", "jdbc:h2:file:" + root.resolve("url/state"), "jobs",
                                "list"}), 0),
                Arguments.of(Named.of("a good kubeconfig is checked, not used, by sim show",
                        new String[] {"--kubeconfig", goodKubeconfig.toString(), "--context", "ctx", "sim", "show",
                                w}), 0),
                Arguments.of(Named.of("ISO duration", new String[] {"--sim", w, "migrate", "default/www-web-3",
                        "--to", "auto", "--dry-run", "--ready-timeout", "PT15M", "--region", "us-gov-west-1"}), 0),
                Arguments.of(Named.of("snapshot --dry-run with a selector",
                        new String[] {"--sim", w, "snapshot", "-A", "-l", "app in (web, db),!gone", "--keep", "2",
                                "--dry-run"}), 0),
                Arguments.of(Named.of("help despite a bad --db",
                        new String[] {"--db", textFile.toString(), "migrate", "--help"}), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validInputs")
    void validInputIsNotRefused(String[] args, int exit) {
        Run run = run(args);
        assertThat(run.exit()).as("stderr: %s", run.err()).isEqualTo(exit);
        assertThat(run.err()).doesNotContain("zonemover: error:");
        assertThat(run.out()).isNotEmpty();
    }

    @Test
    void verboseAddsTheStackTraceAndOnlyThen() {
        String[] args = {"--sim", world.toString(), "--db", textFile.toString(), "jobs", "list"};
        assertThat(run(args).err().strip().lines()).hasSize(1);
        Run verbose = run(Stream.concat(Stream.of("-v"), Stream.of(args)).toArray(String[]::new));
        assertThat(verbose.exit()).isEqualTo(2);
        assertThat(verbose.err()).startsWith("zonemover: error: --db ").contains("\tat io.zonemover.");
    }

    private static Arguments bad(String names, String... args) {
        String shown = String.join(" ", args).replace(root.toString(), "TMP");
        return Arguments.of(Named.of(shown.isEmpty() ? "(no arguments)" : shown, args), names);
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /**
     * Every file and directory under the test's root with a digest of its content (H2 files: only that they
     * exist, since opening one may rewrite its header), plus whether the default state database exists.
     */
    private static Map<String, String> disk() {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            // A world's count of the API calls it received is not the world: a refused command may have asked
            // the cluster something before it found what was wrong.
            paths.filter(p -> !p.getFileName().toString().equals("api-calls.json"))
                    .forEach(p -> files.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir"
                    : p.toString().endsWith(GlobalOptions.H2_SUFFIX) ? "h2" : digest(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path defaultDb = Path.of(System.getProperty("user.home"), ".zonemover", "state" + GlobalOptions.H2_SUFFIX);
        files.put("~/.zonemover/state.mv.db", String.valueOf(Files.exists(defaultDb)));
        return files;
    }

    private static String digest(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
