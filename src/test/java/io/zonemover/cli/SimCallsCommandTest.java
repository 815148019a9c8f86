package io.zonemover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `sim calls DIR [--reset]`: what a command run against the world cost in API calls, phase by phase. */
class SimCallsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void printsTheCallsACommandMadeAndStartsAgainFromZeroOnReset() throws Exception {
        String world = dir.resolve("world").toString();
        assertThat(run("sim", "init", world, "--scenario", "stuck-pod")[0]).isEqualTo("0");
        JsonNode none = JSON.readTree(run("sim", "calls", world, "--json")[1]);
        assertThat(none.get("ec2")).isEmpty();
        assertThat(none.get("kube")).isEmpty();

        assertThat(run("--sim", world, "diagnose", "-A", "-o", "json")[0]).as("the stuck pod is found").isEqualTo("1");
        String[] table = run("sim", "calls", world);
        assertThat(table[1]).contains("Kubernetes  list pods").contains("EC2         (total)")
                .contains("(throttled)");

        String[] reset = run("sim", "calls", world, "--reset", "--json");
        JsonNode before = JSON.readTree(reset[1]);
        assertThat(before.get("kube").get("list pods").asLong()).isPositive();
        assertThat(before.get("ec2Throttled").asLong()).isZero();
        assertThat(reset[2]).contains("Counts reset.");
        JsonNode after = JSON.readTree(run("sim", "calls", world, "-o", "json")[1]);
        assertThat(after.get("kube")).isEmpty();
        assertThat(JSON.readTree(run("sim", "show", world, "--json")[1]).has("apiCalls")).isFalse();
    }

    /** exit code, out, err. */
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {String.valueOf(exit), out.toString(), err.toString()};
    }
}
