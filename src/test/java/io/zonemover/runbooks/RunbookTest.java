package io.zonemover.runbooks;

import io.zonemover.cli.Main;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.api.RbacYaml;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs every runbook's ```sh commands, in page order, against a fresh simulated world built from the scenario
 * the page names. Each {@code zonemover} line runs in-process through {@link Main#run}; its exit code must be
 * the one its trailing comment declares ({@code # exit 1}; 0 when none), and each {@code shows "TEXT"} in that
 * comment must appear in what it printed. {@code $WORLD} is the world's directory; {@code $JOB} is the last
 * job id a command (or the staged crash) printed, as a reader would copy it from the screen. The world enforces
 * the roles of jobs/base (the rights the pages' prerequisites name): a step that needs more fails with a 403.
 */
class RunbookTest {

    static final Path RUNBOOKS = Path.of("runbooks");
    private static final double TIME_SCALE = 120;
    private static final Pattern JOB_ID = Pattern.compile("\\bzm-[0-9a-f]{6,}\\b");

    @TestFactory
    Stream<DynamicNode> everyRunbookRunsAgainstTheSimulatedWorld() throws IOException {
        List<Path> pages = pages();
        assertThat(pages).as("runbooks/*.md").isNotEmpty();
        return pages.stream().map(page -> {
            Runbook book;
            try {
                book = Runbook.parse(page);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            List<String> paths = book.paths();
            if (paths.size() == 1) {
                return DynamicTest.dynamicTest(page.getFileName().toString(), page.toUri(),
                        () -> run(book, paths.get(0)));
            }
            return DynamicContainer.dynamicContainer(page.getFileName().toString(), page.toUri(),
                    paths.stream().map(p -> DynamicTest.dynamicTest("branch " + p, () -> run(book, p))));
        });
    }

    @Test
    void everyRunbookHasTheProcedureShapeAndIsIndexed() throws IOException {
        String index = Files.readString(RUNBOOKS.resolve("README.md"));
        for (Path page : pages()) {
            String text = Files.readString(page);
            assertThat(index).as("runbooks/README.md links " + page.getFileName()).contains(page.getFileName().toString());
            for (String heading : List.of("## Purpose", "## When to use", "## Prerequisites", "## Steps",
                    "## Verification", "## Recovery", "## Clean-up")) {
                assertThat(text).as(page.getFileName() + " has " + heading).contains("\n" + heading);
            }
            Runbook book = Runbook.parse(page);
            assertThat(book.blocks()).as(page.getFileName() + " has ```sh blocks").isNotEmpty();
        }
    }

    @Test
    void commandLinesSplitLikeASimpleShell() {
        assertThat(Runbook.split("zonemover --sim /w migrate 'a b' \"c d\" e")).containsExactly("zonemover", "--sim",
                "/w", "migrate", "a b", "c d", "e");
        assertThat(Runbook.commentStart("zonemover diagnose   # exit 1")).isEqualTo(21);
        assertThat(Runbook.commentStart("zonemover x '#not' a#b")).isEqualTo(-1);
        assertThat(Runbook.substitute("--sim $WORLD jobs show ${JOB}", Map.of("WORLD", "/w", "JOB", "zm-1")))
                .isEqualTo("--sim /w jobs show zm-1");
    }

    static List<Path> pages() throws IOException {
        try (Stream<Path> files = Files.list(RUNBOOKS)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .filter(p -> !p.getFileName().toString().equals("README.md"))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        }
    }

    private static void run(Runbook book, String path) throws Exception {
        Path world = Files.createTempDirectory("runbook-" + book.scenario() + "-");
        try {
            WorldStore.create(world, Scenarios.create(book.scenario(), Map.of(), System.currentTimeMillis()),
                    TIME_SCALE, book.scenario()).enforce(RbacYaml.read(List.of(ClusterRoleTest.ROLES)));
            Map<String, String> vars = new LinkedHashMap<>();
            vars.put("WORLD", world.toString());
            StringBuilder transcript = new StringBuilder();
            if (book.crash().isPresent()) {
                String jobId = stageCrash(book.crash().get(), vars, transcript);
                vars.put("JOB", jobId);
            }
            List<Runbook.Command> commands = book.commandsFor(path);
            assertThat(commands).as(book.file() + " runs at least one zonemover command").isNotEmpty();
            for (Runbook.Command command : commands) {
                String line = Runbook.substitute(command.text(), vars);
                List<String> argv = Runbook.split(line);
                String[] args = argv.subList(1, argv.size()).toArray(String[]::new);
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
                transcript.append("$ ").append(line).append("   (exit ").append(exit).append(")\n")
                        .append(out).append(err).append('\n');
                String where = book.file().getFileName() + ":" + command.line() + " `" + command.text() + "`";
                if (exit != command.expectedExit()) {
                    fail(where + " exited " + exit + ", expected " + command.expectedExit() + "\n--- stdout\n" + out
                            + "--- stderr\n" + err + "--- transcript\n" + transcript);
                }
                for (String shown : command.shows()) {
                    assertThat(out + "\n" + err).as(where + " shows \"" + shown + "\"\n" + transcript).contains(shown);
                }
                Matcher id = JOB_ID.matcher(out.toString());
                Matcher idErr = JOB_ID.matcher(err.toString());
                if (id.find()) {
                    vars.put("JOB", id.group());
                } else if (idErr.find()) {
                    vars.put("JOB", idErr.group());
                }
            }
        } finally {
            deleteQuietly(world);
        }
    }

    /** Runs the page's crash command in a separate JVM and kills it (SIGKILL) at the progress line named. */
    private static String stageCrash(Runbook.Crash crash, Map<String, String> vars, StringBuilder transcript)
            throws Exception {
        List<String> argv = Runbook.split(Runbook.substitute(crash.command(), vars));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(argv.subList(1, argv.size()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String jobId = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                transcript.append("[crash] ").append(line).append('\n');
                Matcher m = Pattern.compile("job (zm-[0-9a-f]+) started").matcher(line);
                if (jobId == null && m.find()) {
                    jobId = m.group(1);
                }
                if (jobId != null && line.contains(" " + crash.step() + " ") && line.contains(crash.text())) {
                    process.destroyForcibly();
                    process.waitFor(30, TimeUnit.SECONDS);
                    transcript.append("[crash] killed with SIGKILL\n");
                    return jobId;
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
        } finally {
            process.destroyForcibly();
        }
        throw new AssertionError("the staged crash never reached \"" + crash.step() + "|" + crash.text() + "\":\n"
                + transcript);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp directory left behind is harmless.
        }
    }
}
