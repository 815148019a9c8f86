package io.zonemover.runbooks;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A kustomization rendered by the real {@code kubectl kustomize} (kubectl 1.35, found as KubectlTest finds it:
 * $KUBECTL, else where {@code .ci/install-kubectl} puts it), and questions about its objects.
 */
record Kustomized(Path dir, String yaml, List<Map<String, Object>> docs) {

    static final String INSTALLED = "/usr/local/lib/zonemover/kubectl-v1.35/kubectl";

    static Path kubectl() {
        String env = System.getenv("KUBECTL");
        Path bin = Path.of(env != null && !env.isBlank() ? env : INSTALLED);
        if (!Files.isExecutable(bin)) {
            fail("kubectl 1.35 not found at " + bin + ": run .ci/install-kubectl (CI runs it before mvn), or set "
                    + "KUBECTL to a kubectl 1.35 binary");
        }
        return bin;
    }

    @SuppressWarnings("unchecked")
    static Kustomized render(Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kustomize", ".yaml");
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process p = new ProcessBuilder(kubectl().toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kubectl kustomize " + dir + " did not finish in 60 s");
            }
            String yaml = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("kubectl kustomize " + dir + ": " + Files.readString(err)).isZero();
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object doc : new Yaml().loadAll(yaml)) {
                if (doc != null) {
                    assertThat(doc).as(dir + ": each object is a mapping").isInstanceOf(Map.class);
                    docs.add((Map<String, Object>) doc);
                }
            }
            return new Kustomized(dir, yaml, docs);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    List<Map<String, Object>> all(String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    Map<String, Object> only(String kind) {
        List<Map<String, Object>> matching = all(kind);
        assertThat(matching).as("exactly one " + kind + " in " + dir).hasSize(1);
        return matching.get(0);
    }

    Map<String, Object> named(String kind, String name) {
        return all(kind).stream().filter(d -> name.equals(name(d))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + dir));
    }

    static Map<String, Object> metadata(Map<String, Object> doc) {
        return map(doc, "metadata");
    }

    static String name(Map<String, Object> doc) {
        return (String) metadata(doc).get("name");
    }

    static String namespace(Map<String, Object> doc) {
        return (String) metadata(doc).get("namespace");
    }

    /** The pod spec of a Job, CronJob or Deployment. */
    static Map<String, Object> podSpec(Map<String, Object> workload) {
        Map<String, Object> spec = map(workload, "spec");
        if ("CronJob".equals(workload.get("kind"))) {
            spec = map(map(spec, "jobTemplate"), "spec");
        }
        return map(map(spec, "template"), "spec");
    }

    /** The workload's one container, named zonemover. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> container(Map<String, Object> workload) {
        List<Map<String, Object>> containers = (List<Map<String, Object>>) podSpec(workload).get("containers");
        assertThat(containers).as(name(workload) + " has one container").hasSize(1);
        assertThat(containers.get(0).get("name")).isEqualTo("zonemover");
        return containers.get(0);
    }

    /** The container's command and args as one line, the way a shell would read them. */
    @SuppressWarnings("unchecked")
    static String commandLine(Map<String, Object> workload) {
        Map<String, Object> c = container(workload);
        List<String> line = new ArrayList<>((List<String>) c.getOrDefault("command", List.of()));
        line.addAll((List<String>) c.getOrDefault("args", List.of()));
        return String.join(" ", line);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> env(Map<String, Object> workload) {
        return (List<Map<String, Object>>) container(workload).getOrDefault("env", List.of());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> doc, String key) {
        Object v = doc.get(key);
        assertThat(v).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) v;
    }
}
