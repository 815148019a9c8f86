package io.zonemover.runbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-cluster manifests in jobs/: every YAML parses, the ClusterRole grants exactly what zonemover uses
 * (no delete beyond the kinds a move replaces), the Job runs migrate with that ServiceAccount and its state
 * on a WaitForFirstConsumer claim, the CronJob takes protective snapshots every 10 minutes with the same
 * account, and the IAM policy can delete nothing but snapshots tagged {@code zonemover.io/protect=true}.
 */
class JobManifestsTest {

    private static final Path JOBS = Path.of("jobs");

    /** resource -> verbs zonemover needs on it. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "nodes", Set.of("get", "list", "update"),
            "pods", Set.of("get", "list", "delete"),
            "events", Set.of("get", "list"),
            "storageclasses", Set.of("get", "list", "create", "delete"),
            "statefulsets", Set.of("get", "list", "create", "delete", "patch"),
            "persistentvolumes", Set.of("get", "list", "create", "delete", "patch"),
            "persistentvolumeclaims", Set.of("get", "list", "create", "delete", "patch", "update"),
            "configmaps", Set.of("get", "list", "create", "update", "delete"),
            "volumeattachments", Set.of("get", "list"),
            "poddisruptionbudgets", Set.of("get", "list"));

    private static final Set<String> EC2_ACTIONS = Set.of("ec2:DescribeAvailabilityZones", "ec2:DescribeVolumes",
            "ec2:DescribeSnapshots", "ec2:CreateSnapshot", "ec2:CreateVolume", "ec2:CreateTags", "ec2:DeleteSnapshot",
            // cleanup: the source volumes of completed moves.
            "ec2:DeleteVolume",
            // A zone-outage rescue: is the dead node's instance stopped; which volumes are impaired.
            "ec2:DescribeInstances", "ec2:DescribeVolumeStatus");

    @Test
    void everyYamlParses() throws IOException {
        List<Path> files = files(".yaml");
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("rbac.yaml", "migrate-job.yaml",
                "snapshot-cronjob.yaml");
        for (Path file : files) {
            assertThat(load(file)).as(file + " has documents").isNotEmpty()
                    .allSatisfy(doc -> assertThat(doc).as(file + ": apiVersion and kind").containsKeys("apiVersion", "kind"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void clusterRoleGrantsExactlyWhatZonemoverUses() throws IOException {
        Map<String, Object> role = only(all(), "ClusterRole");
        Map<String, Set<String>> granted = new HashMap<>();
        for (Map<String, Object> rule : (List<Map<String, Object>>) role.get("rules")) {
            List<String> resources = (List<String>) rule.get("resources");
            List<String> verbs = (List<String>) rule.get("verbs");
            assertThat(rule).as("no nonResourceURLs, no resourceNames tricks").doesNotContainKey("nonResourceURLs");
            assertThat(resources).as("no wildcard resources").doesNotContain("*");
            assertThat(verbs).as("no wildcard verbs").doesNotContain("*");
            assertThat((List<String>) rule.get("apiGroups")).doesNotContain("*");
            for (String resource : resources) {
                granted.computeIfAbsent(resource, r -> new HashSet<>()).addAll(verbs);
            }
        }
        assertThat(granted).isEqualTo(ALLOWED);
        granted.forEach((resource, verbs) -> {
            if (verbs.contains("delete")) {
                assertThat(resource).as("delete only on what a move replaces")
                        .isIn("persistentvolumes", "persistentvolumeclaims", "statefulsets", "pods", "storageclasses",
                                "configmaps");
            }
            if (verbs.contains("update")) {
                assertThat(resource).as("update only for the claim lock's compare-and-set, the move's record and "
                        + "the out-of-service taint of a dead node").isIn("persistentvolumeclaims", "configmaps", "nodes");
            }
            assertThat(verbs).as(resource + ": never deletecollection, escalate, bind, impersonate")
                    .doesNotContain("deletecollection", "escalate", "bind", "impersonate", "watch");
        });

        Map<String, Object> binding = only(all(), "ClusterRoleBinding");
        Map<String, Object> account = only(all(), "ServiceAccount");
        Map<String, Object> roleRef = (Map<String, Object>) binding.get("roleRef");
        assertThat(roleRef.get("name")).isEqualTo(metadata(role).get("name"));
        Map<String, Object> subject = ((List<Map<String, Object>>) binding.get("subjects")).get(0);
        assertThat(subject.get("name")).isEqualTo(metadata(account).get("name"));
        assertThat(subject.get("namespace")).isEqualTo(metadata(account).get("namespace"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void migrateJobRunsMigrateWithTheServiceAccountAndKeepsStateOnAWaitForFirstConsumerClaim() throws IOException {
        List<Map<String, Object>> docs = all();
        Map<String, Object> job = only(docs, "Job");
        assertThat(job.get("apiVersion")).isEqualTo("batch/v1");
        Map<String, Object> podSpec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                job.get("spec")).get("template")).get("spec");
        assertThat(podSpec.get("serviceAccountName")).isEqualTo(metadata(only(docs, "ServiceAccount")).get("name"));
        Map<String, Object> container = ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
        String script = String.join(" ", (List<String>) container.get("command")) + " "
                + String.join(" ", (List<String>) container.get("args"));
        assertThat(script).contains("zonemover migrate \"$CLAIM\" --to \"$ZONE\" --yes", "-o json",
                "zonemover jobs resume");

        String claimName = null;
        for (Map<String, Object> volume : (List<Map<String, Object>>) podSpec.get("volumes")) {
            Map<String, Object> pvc = (Map<String, Object>) volume.get("persistentVolumeClaim");
            if (pvc != null) {
                claimName = (String) pvc.get("claimName");
            }
        }
        assertThat(claimName).as("the state database is on a claim").isNotNull();
        String name = claimName;
        Map<String, Object> claim = docs.stream().filter(d -> "PersistentVolumeClaim".equals(d.get("kind"))
                && name.equals(metadata(d).get("name"))).findFirst().orElseThrow();
        String className = (String) ((Map<String, Object>) claim.get("spec")).get("storageClassName");
        Map<String, Object> storageClass = docs.stream().filter(d -> "StorageClass".equals(d.get("kind"))
                && className.equals(metadata(d).get("name"))).findFirst().orElseThrow();
        assertThat(storageClass.get("volumeBindingMode")).isEqualTo("WaitForFirstConsumer");
        assertThat(String.join(" ", ((List<Map<String, Object>>) container.get("env")).stream()
                .map(e -> e.get("name") + "=" + e.get("value")).toList()))
                .as("the state DB lives on the mounted claim").contains("ZONEMOVER_DB=jdbc:h2:file:/var/lib/zonemover/");
    }

    @Test
    @SuppressWarnings("unchecked")
    void snapshotCronJobTakesProtectiveSnapshotsEveryTenMinutesWithTheServiceAccount() throws IOException {
        List<Map<String, Object>> docs = all();
        Map<String, Object> cron = only(docs, "CronJob");
        assertThat(cron.get("apiVersion")).isEqualTo("batch/v1");
        Map<String, Object> spec = (Map<String, Object>) cron.get("spec");
        assertThat(spec.get("schedule")).isEqualTo("*/10 * * * *");
        assertThat(spec.get("concurrencyPolicy")).as("never two runs at once").isEqualTo("Forbid");
        Map<String, Object> jobSpec = (Map<String, Object>) ((Map<String, Object>) spec.get("jobTemplate")).get("spec");
        Map<String, Object> podSpec = (Map<String, Object>) ((Map<String, Object>) jobSpec.get("template")).get("spec");
        assertThat(podSpec.get("serviceAccountName")).isEqualTo(metadata(only(docs, "ServiceAccount")).get("name"));
        assertThat(metadata(cron).get("namespace")).isEqualTo(metadata(only(docs, "ServiceAccount")).get("namespace"));
        Map<String, Object> container = ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
        List<String> line = new ArrayList<>((List<String>) container.get("command"));
        line.addAll((List<String>) container.get("args"));
        assertThat(String.join(" ", line))
                .isEqualTo("zonemover snapshot -A -l zonemover.io/protect=true --keep 6 --yes");
    }

    @Test
    void iamPolicyDeletesOnlyWhatZonemoverTaggedAsItsOwn() throws IOException {
        JsonNode policy = new ObjectMapper().readTree(JOBS.resolve("iam-policy.json").toFile());
        Map<String, String> deletes = new java.util.TreeMap<>(); // action + tag condition -> resource
        for (JsonNode statement : policy.get("Statement")) {
            List<String> actions = actions(statement);
            if (actions.stream().noneMatch(a -> a.toLowerCase(Locale.ROOT).contains("delete"))) {
                continue;
            }
            assertThat(actions).as("one delete action per statement").hasSize(1);
            assertThat(statement.get("Resource").isTextual()).as("one resource").isTrue();
            JsonNode condition = statement.get("Condition");
            assertThat(condition).as(actions + " is conditioned").isNotNull();
            assertThat(condition.size()).as("one operator").isEqualTo(1);
            String operator = condition.fieldNames().next();
            JsonNode keys = condition.get(operator);
            assertThat(keys.size()).as("one key").isEqualTo(1);
            String key = keys.fieldNames().next();
            // StringEquals "true" on protect, or Null "false" (the tag is present) on job / superseded-by:
            // never a Like or IfExists variant, which would let untagged resources through.
            String expected = operator.equals("StringEquals") ? "true" : "false";
            assertThat(operator).isIn("StringEquals", "Null");
            assertThat(keys.get(key).asText()).isEqualTo(expected);
            deletes.put(actions.get(0) + " " + key, statement.get("Resource").asText());
        }
        assertThat(deletes).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                "ec2:DeleteSnapshot aws:ResourceTag/zonemover.io/protect", "arn:aws:ec2:*::snapshot/*",
                "ec2:DeleteSnapshot aws:ResourceTag/zonemover.io/job", "arn:aws:ec2:*::snapshot/*",
                "ec2:DeleteVolume aws:ResourceTag/zonemover.io/superseded-by", "arn:aws:ec2:*:*:volume/*")));
    }

    private static List<String> actions(JsonNode statement) {
        JsonNode actions = statement.get("Action");
        List<String> list = new ArrayList<>();
        if (actions.isArray()) {
            actions.forEach(a -> list.add(a.asText()));
        } else {
            list.add(actions.asText());
        }
        return list;
    }

    @Test
    void iamPolicyAllowsOnlyTheEc2CallsZonemoverMakesAndNoOtherDelete() throws IOException {
        JsonNode policy = new ObjectMapper().readTree(JOBS.resolve("iam-policy.json").toFile());
        assertThat(policy.get("Version").asText()).isEqualTo("2012-10-17");
        Set<String> ec2 = new HashSet<>();
        List<String> all = new ArrayList<>();
        for (JsonNode statement : policy.get("Statement")) {
            assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
            assertThat(statement.has("NotAction") || statement.has("NotResource"))
                    .as("no NotAction/NotResource: what is allowed is listed").isFalse();
            JsonNode actions = statement.get("Action");
            List<String> list = new ArrayList<>();
            if (actions.isArray()) {
                actions.forEach(a -> list.add(a.asText()));
            } else {
                list.add(actions.asText());
            }
            all.addAll(list);
            list.stream().filter(a -> a.toLowerCase(Locale.ROOT).startsWith("ec2:")).forEach(ec2::add);
            if (list.contains("ec2:CreateTags")) {
                assertThat(statement.has("Condition")).as("CreateTags is always conditioned").isTrue();
            }
        }
        assertThat(all).as("no wildcard, no delete (but of snapshots and volumes), no detach").noneMatch(a -> a.contains("*")
                || a.toLowerCase(Locale.ROOT).startsWith("ec2:delete") && !a.equals("ec2:DeleteSnapshot")
                        && !a.equals("ec2:DeleteVolume")
                || a.toLowerCase(Locale.ROOT).startsWith("kms:delete")
                || a.toLowerCase(Locale.ROOT).startsWith("iam:")
                || a.toLowerCase(Locale.ROOT).startsWith("ec2:detach")
                || a.toLowerCase(Locale.ROOT).startsWith("kms:schedule"));
        assertThat(ec2).isEqualTo(EC2_ACTIONS);
        assertThat(policy.toString()).contains("\"ec2:CreateAction\"", "CreateVolume", "CreateSnapshot",
                "aws:ResourceTag/zonemover.io/job");
    }

    private static List<Path> files(String suffix) throws IOException {
        try (Stream<Path> list = Files.list(JOBS)) {
            return list.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> load(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml().loadAll(reader)) {
                if (doc != null) {
                    assertThat(doc).as(file + ": each document is a mapping").isInstanceOf(Map.class);
                    docs.add((Map<String, Object>) doc);
                }
            }
        }
        return docs;
    }

    private static List<Map<String, Object>> all() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Path file : files(".yaml")) {
            docs.addAll(load(file));
        }
        return docs;
    }

    private static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> matching = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(matching).as("exactly one " + kind + " in jobs/*.yaml").hasSize(1);
        return matching.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> doc) {
        return (Map<String, Object>) doc.get("metadata");
    }
}
