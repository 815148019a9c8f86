package io.zonemover.runbooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.fleet.PlanFile;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.WorldStore;
import io.zonemover.sim.kube.api.RbacPolicy;
import io.zonemover.sim.kube.api.RbacYaml;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.zonemover.runbooks.Kustomized.commandLine;
import static io.zonemover.runbooks.Kustomized.container;
import static io.zonemover.runbooks.Kustomized.env;
import static io.zonemover.runbooks.Kustomized.map;
import static io.zonemover.runbooks.Kustomized.metadata;
import static io.zonemover.runbooks.Kustomized.name;
import static io.zonemover.runbooks.Kustomized.namespace;
import static io.zonemover.runbooks.Kustomized.podSpec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kustomize base jobs/base and its overlays, rendered with the real {@code kubectl kustomize}: every
 * namespaced object lands in {@code zonemover}, every workload runs as the ServiceAccount with the restricted Pod
 * Security profile, the Jobs, CronJobs and Deployment run the commands users rely on (and the migrate Job's script
 * resumes a move an earlier attempt left), the roles grant no wildcard, no secret and no delete beyond what a
 * move replaces, the simulated worlds enforce exactly the roles kustomize renders, and the IAM policy deletes
 * only what zonemover tagged as its own. Whether the roles match the calls the code makes is {@link
 * ClusterRoleTest}'s.
 */
class JobManifestsTest {

    static final Path JOBS = Path.of("jobs");
    static final Path BASE = JOBS.resolve("base");
    static final Path EXAMPLE = JOBS.resolve("overlays/example");
    static final Path H2 = JOBS.resolve("overlays/h2-state");
    static final String NS = "zonemover";
    static final String ACCOUNT = "zonemover";
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "StorageClass");
    private static final List<String> WORKLOADS = List.of("Job", "CronJob", "Deployment");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Set<String> EC2_ACTIONS = Set.of("ec2:DescribeAvailabilityZones", "ec2:DescribeVolumes",
            "ec2:DescribeSnapshots", "ec2:CreateSnapshot", "ec2:CreateVolume", "ec2:CreateTags", "ec2:DeleteSnapshot",
            // cleanup: the source volumes of completed moves.
            "ec2:DeleteVolume",
            // A zone-outage rescue: is the dead node's instance stopped; which volumes are impaired.
            "ec2:DescribeInstances", "ec2:DescribeVolumeStatus",
            // migrate --fast-snapshot-restore: on the move's own snapshots, for the target zone, then off again.
            "ec2:EnableFastSnapshotRestores", "ec2:DisableFastSnapshotRestores", "ec2:DescribeFastSnapshotRestores");

    static Kustomized base;
    static Kustomized example;
    static Kustomized h2;

    @TempDir
    Path dir;

    @BeforeAll
    static void render() throws Exception {
        base = Kustomized.render(BASE);
        example = Kustomized.render(EXAMPLE);
        h2 = Kustomized.render(H2);
    }

    @Test
    void theBaseHoldsWhatUsersInstallAndNoSecret() {
        Map<String, List<String>> byKind = new TreeMap<>();
        base.docs().forEach(d -> byKind.computeIfAbsent((String) d.get("kind"), k -> new ArrayList<>()).add(name(d)));
        assertThat(byKind).containsEntry("Namespace", List.of(NS)).containsEntry("ServiceAccount", List.of(ACCOUNT))
                .containsEntry("ClusterRole", List.of("zonemover")).containsEntry("ClusterRoleBinding", List.of("zonemover"))
                .containsEntry("Role", List.of("zonemover")).containsEntry("RoleBinding", List.of("zonemover"))
                .containsEntry("Deployment", List.of("zonemover-rescue"))
                .doesNotContainKey("Secret");
        assertThat(byKind.get("Job")).containsExactlyInAnyOrder("zonemover-migrate", "zonemover-rebalance",
                "zonemover-rebalance-workers");
        assertThat(byKind.get("CronJob")).containsExactlyInAnyOrder("zonemover-diagnose", "zonemover-snapshot");
        assertThat(base.yaml()).as("the state database's URL is the user's Secret, never in git")
                .doesNotContain("jdbc:postgresql");
        Map<String, Object> account = base.only("ServiceAccount");
        assertThat(((Map<?, ?>) metadata(account).get("annotations")).get("eks.amazonaws.com/role-arn"))
                .as("the IRSA annotation to fill in").asString().startsWith("arn:aws:iam::");
        assertThat(((Map<?, ?>) metadata(base.only("Namespace")).get("labels"))
                .get("pod-security.kubernetes.io/enforce")).isEqualTo("restricted");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyNamespacedObjectIsInZonemoverAndEveryWorkloadRunsAsItsServiceAccountUnprivileged() {
        for (Kustomized k : List.of(base, example, h2)) {
            for (Map<String, Object> doc : k.docs()) {
                String what = k.dir() + ": " + doc.get("kind") + " " + name(doc);
                if (CLUSTER_SCOPED.contains((String) doc.get("kind"))) {
                    assertThat(namespace(doc)).as(what + " is cluster-scoped").isNull();
                } else {
                    assertThat(namespace(doc)).as(what).isEqualTo(NS);
                }
                if (doc.get("kind").toString().endsWith("Binding")) {
                    assertThat((List<Map<String, Object>>) doc.get("subjects")).as(what).singleElement().satisfies(s -> {
                        assertThat(s.get("kind")).isEqualTo("ServiceAccount");
                        assertThat(s.get("name")).isEqualTo(ACCOUNT);
                        assertThat(s.get("namespace")).isEqualTo(NS);
                    });
                }
            }
            Set<String> images = new HashSet<>();
            for (String kind : WORKLOADS) {
                for (Map<String, Object> workload : k.all(kind)) {
                    String what = k.dir() + ": " + kind + " " + name(workload);
                    Map<String, Object> pod = podSpec(workload);
                    assertThat(pod.get("serviceAccountName")).as(what).isEqualTo(ACCOUNT);
                    Map<String, Object> podSecurity = map(pod, "securityContext");
                    assertThat(podSecurity.get("runAsNonRoot")).as(what).isEqualTo(true);
                    assertThat(map(podSecurity, "seccompProfile").get("type")).as(what).isEqualTo("RuntimeDefault");
                    Map<String, Object> c = container(workload);
                    Map<String, Object> security = map(c, "securityContext");
                    assertThat(security.get("allowPrivilegeEscalation")).as(what).isEqualTo(false);
                    assertThat(security.get("readOnlyRootFilesystem")).as(what).isEqualTo(true);
                    assertThat((List<String>) map(security, "capabilities").get("drop")).as(what).containsExactly("ALL");
                    images.add((String) c.get("image"));
                    for (Map<String, Object> from : (List<Map<String, Object>>) c.getOrDefault("envFrom", List.of())) {
                        k.named("ConfigMap", (String) map(from, "configMapRef").get("name"));
                    }
                    for (Map<String, Object> e : env(workload)) {
                        Map<String, Object> valueFrom = (Map<String, Object>) e.get("valueFrom");
                        if (valueFrom != null && valueFrom.containsKey("secretKeyRef")) {
                            assertThat(e.get("name")).as(what + ": the only secret is the state database's URL")
                                    .isEqualTo("ZONEMOVER_DB");
                            assertThat(map(valueFrom, "secretKeyRef")).as(what)
                                    .containsEntry("name", "zonemover-db").containsEntry("key", "url");
                        }
                    }
                    for (Map<String, Object> volume : (List<Map<String, Object>>) pod.getOrDefault("volumes", List.of())) {
                        if (volume.containsKey("configMap")) {
                            k.named("ConfigMap", (String) map(volume, "configMap").get("name"));
                        }
                    }
                }
            }
            assertThat(images).as(k.dir() + ": one image everywhere").hasSize(1);
        }
    }

    @Test
    void theWorkloadsRunTheCommandsUsersRelyOn() throws IOException {
        Map<String, Object> migrate = base.named("Job", "zonemover-migrate");
        assertThat(map(migrate, "spec").get("suspend")).as("applying the base starts no move").isEqualTo(true);
        assertThat(commandLine(migrate)).startsWith("/bin/sh -c ")
                .contains("zonemover migrate \"$CLAIM\" --to \"$ZONE\" --yes -o json", "zonemover jobs resume");
        assertThat(envValues(migrate)).containsKeys("CLAIM", "ZONE");
        assertThat(map(migrate, "spec").get("podFailurePolicy").toString()).as("exit 2 and 3 end the Job: they "
                + "changed nothing and would be refused again").contains("action=FailJob", "values=[2, 3]");
        assertDatabaseFromSecret(migrate);

        Map<String, Object> rebalance = base.named("Job", "zonemover-rebalance");
        assertThat(map(rebalance, "spec").get("suspend")).isEqualTo(true);
        assertThat(map(rebalance, "spec").get("backoffLimit")).as("applying the file again would start a second plan")
                .isEqualTo(0);
        assertThat(commandLine(rebalance)).isEqualTo("zonemover rebalance apply /plan/plan.yaml --yes");
        assertThat(mountedConfigMap(rebalance, "/plan").get("data")).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsKey("plan.yaml");
        String plan = (String) ((Map<?, ?>) mountedConfigMap(rebalance, "/plan").get("data")).get("plan.yaml");
        assertThat(PlanFile.read("plan.yaml", new StringReader(plan), List.of("us-east-1a")).moves())
                .as("the base's placeholder plan is a valid plan that moves nothing").isEmpty();
        assertDatabaseFromSecret(rebalance);

        Map<String, Object> workers = base.named("Job", "zonemover-rebalance-workers");
        assertThat(map(workers, "spec")).containsEntry("suspend", true).containsEntry("completionMode", "Indexed")
                .containsEntry("completions", 3).containsEntry("parallelism", 3);
        assertThat(map(workers, "spec").get("backoffLimitPerIndex")).as("a lost worker is replaced and joins the "
                + "same plan (its id comes from the file)").isEqualTo(2);
        assertThat(commandLine(workers)).isEqualTo("zonemover rebalance apply /plan/plan.yaml --worker --yes");
        assertThat(mountedConfigMap(workers, "/plan").get("data")).isEqualTo(mountedConfigMap(rebalance, "/plan")
                .get("data"));
        assertDatabaseFromSecret(workers);

        Map<String, Object> diagnose = base.named("CronJob", "zonemover-diagnose");
        assertThat(map(diagnose, "spec")).containsEntry("schedule", "*/15 * * * *")
                .containsEntry("concurrencyPolicy", "Forbid");
        assertThat(commandLine(diagnose)).isEqualTo("zonemover diagnose -A -o json");
        assertThat(map(map(map(diagnose, "spec"), "jobTemplate"), "spec").get("backoffLimit"))
                .as("a run with findings is a failed Job, not retried").isEqualTo(0);

        Map<String, Object> snapshot = base.named("CronJob", "zonemover-snapshot");
        assertThat(map(snapshot, "spec")).containsEntry("schedule", "*/10 * * * *")
                .containsEntry("concurrencyPolicy", "Forbid");
        assertThat(commandLine(snapshot)).isEqualTo("zonemover snapshot -A -l zonemover.io/protect=true --keep 6 --yes");

        Map<String, Object> rescue = base.named("Deployment", "zonemover-rescue");
        assertThat(map(rescue, "spec").get("replicas")).isEqualTo(2);
        assertThat(commandLine(rescue)).isEqualTo("zonemover rescue --watch --grace 5m --lease-namespace $(POD_NAMESPACE)");
        assertThat(env(rescue)).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("POD_NAMESPACE");
            assertThat(e.get("valueFrom").toString()).contains("fieldPath=metadata.namespace");
        });
        RbacPolicy policy = RbacYaml.read(List.of(BASE));
        assertThat(policy.rules()).as("the Lease is granted in the namespace the rescue pods run in")
                .anySatisfy(r -> {
                    assertThat(r.namespace()).isEqualTo(namespace(rescue));
                    assertThat(r.resources()).containsExactly("leases");
                    assertThat(r.verbs()).containsExactlyInAnyOrder("get", "create", "update");
                });
        assertDatabaseFromSecret(rescue);
    }

    /** Exactly what the CronJob runs, on worlds that enforce the roles: exit 1 with findings, 0 without. */
    @Test
    void theDiagnoseCronJobFailsExactlyWhenThereAreFindings() throws Exception {
        String[] args = commandLine(base.named("CronJob", "zonemover-diagnose")).split(" ");
        assertThat(args[0]).isEqualTo("zonemover");
        for (String scenario : List.of("healthy", "stuck-pod")) {
            Path world = dir.resolve(scenario);
            WorldStore.create(world, Scenarios.create(scenario, Map.of(), System.currentTimeMillis()), 60, scenario)
                    .enforce(RbacYaml.read(List.of(BASE)));
            List<String> argv = new ArrayList<>(List.of("--sim", world.toString()));
            argv.addAll(List.of(args).subList(1, args.length));
            ClusterRoleTest.Run run = ClusterRoleTest.run(argv.toArray(String[]::new));
            JsonNode findings = JSON.readTree(run.out()).get("findings");
            assertThat(run.exit()).as(scenario + ": " + run.err()).isEqualTo(findings.isEmpty() ? 0 : 1);
            assertThat(findings.isEmpty()).as(scenario).isEqualTo(scenario.equals("healthy"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRolesGrantNoWildcardNoSecretAndDeleteOnlyWhatAMoveReplaces() {
        for (Map<String, Object> role : List.of(base.only("ClusterRole"), base.only("Role"))) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) role.get("rules")) {
                List<String> resources = (List<String>) rule.get("resources");
                List<String> verbs = (List<String>) rule.get("verbs");
                assertThat(rule).as("no nonResourceURLs, no resourceNames tricks").doesNotContainKeys("nonResourceURLs",
                        "resourceNames");
                assertThat(resources).as("no wildcard resources, no secrets").doesNotContain("*", "secrets")
                        .noneMatch(r -> r.contains("*"));
                assertThat(verbs).as("no wildcard verbs").doesNotContain("*");
                assertThat((List<String>) rule.get("apiGroups")).doesNotContain("*");
                assertThat(verbs).as(resources + ": never deletecollection, escalate, bind, impersonate, watch")
                        .doesNotContain("deletecollection", "escalate", "bind", "impersonate", "watch");
            }
        }
        Map<String, Set<String>> granted = new HashMap<>();
        for (String call : ClusterRoleTest.granted(RbacYaml.read(List.of(BASE)))) {
            String[] vr = call.split(" ");
            granted.computeIfAbsent(vr[1], r -> new HashSet<>()).add(vr[0]);
        }
        granted.forEach((resource, verbs) -> {
            if (verbs.contains("delete")) {
                assertThat(resource).as("delete only on what a move replaces")
                        .isIn("persistentvolumes", "persistentvolumeclaims", "statefulsets", "pods", "storageclasses",
                                "configmaps");
            }
            if (verbs.contains("update")) {
                assertThat(resource).as("update only for the claim lock's compare-and-set, the move's record, the "
                        + "out-of-service taint of a dead node and the rescue Lease")
                        .isIn("persistentvolumeclaims", "configmaps", "nodes", "leases");
            }
        });
        assertThat(granted.get("leases")).as("the Lease is never deleted").doesNotContain("delete");
        Map<String, Object> roleRef = map(base.only("ClusterRoleBinding"), "roleRef");
        assertThat(roleRef).containsEntry("kind", "ClusterRole").containsEntry("name", name(base.only("ClusterRole")));
        assertThat(map(base.only("RoleBinding"), "roleRef")).containsEntry("kind", "Role")
                .containsEntry("name", name(base.only("Role")));
    }

    @Test
    void theSimulatedWorldsEnforceExactlyTheRolesKustomizeRenders() throws IOException {
        Path rendered = dir.resolve("rendered.yaml");
        Files.writeString(rendered, base.yaml());
        RbacPolicy fromRender = RbacYaml.read(List.of(rendered));
        RbacPolicy fromFiles = RbacYaml.read(List.of(BASE));
        assertThat(fromRender.user()).isEqualTo(fromFiles.user()).isEqualTo(ClusterRoleTest.USER);
        assertThat(fromRender.rules()).containsExactlyInAnyOrderElementsOf(fromFiles.rules());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theExampleOverlaySetsTheImageTheRoleTheRegionAndTheMove() {
        assertThat(example.docs()).hasSameSizeAs(base.docs());
        for (String kind : WORKLOADS) {
            for (Map<String, Object> workload : example.all(kind)) {
                assertThat(container(workload).get("image")).as(name(workload))
                        .isEqualTo("111122223333.dkr.ecr.eu-west-1.amazonaws.com/zonemover:0.4.0");
            }
        }
        Map<String, Object> annotations = (Map<String, Object>) metadata(example.only("ServiceAccount")).get("annotations");
        assertThat(annotations).containsEntry("eks.amazonaws.com/role-arn",
                "arn:aws:iam::111122223333:role/zonemover-eu-west-1");
        Map<String, Object> migrate = example.named("Job", "zonemover-migrate");
        assertThat(map(migrate, "spec").get("suspend")).isEqualTo(false);
        assertThat(envValues(migrate)).containsEntry("CLAIM", "default/www-web-3").containsEntry("ZONE", "auto");
        Map<String, Object> config = example.named("ConfigMap", (String) map((Map<String, Object>) ((List<?>)
                container(migrate).get("envFrom")).get(0), "configMapRef").get("name"));
        assertThat((Map<String, Object>) config.get("data")).containsEntry("AWS_REGION", "eu-west-1");
        assertThat(map(example.named("Job", "zonemover-rebalance"), "spec").get("suspend")).isEqualTo(true);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theH2OverlayKeepsEachJobsStateOnAWaitForFirstConsumerClaimAndDropsTheRescueDeployment() {
        assertThat(h2.all("Deployment")).as("two replicas cannot share one H2 file").isEmpty();
        assertThat(h2.all("Job")).as("workers cannot share one H2 file either").extracting(Kustomized::name)
                .containsExactlyInAnyOrder("zonemover-migrate", "zonemover-rebalance");
        assertThat(h2.all("Job")).allSatisfy(job -> {
            Map<String, Object> db = env(job).stream().filter(e -> "ZONEMOVER_DB".equals(e.get("name"))).findFirst()
                    .orElseThrow();
            assertThat(db).doesNotContainKey("valueFrom");
            assertThat((String) db.get("value")).startsWith("jdbc:h2:file:/var/lib/zonemover/");
            String claim = null;
            for (Map<String, Object> volume : (List<Map<String, Object>>) podSpec(job).get("volumes")) {
                if (volume.containsKey("persistentVolumeClaim")) {
                    claim = (String) map(volume, "persistentVolumeClaim").get("claimName");
                    String volumeName = (String) volume.get("name");
                    assertThat((List<Map<String, Object>>) container(job).get("volumeMounts"))
                            .anySatisfy(m -> assertThat(m).containsEntry("name", volumeName)
                                    .containsEntry("mountPath", "/var/lib/zonemover"));
                }
            }
            assertThat(claim).as(name(job) + ": the state database is on a claim").isNotNull();
            Map<String, Object> pvc = h2.named("PersistentVolumeClaim", claim);
            String className = (String) map(pvc, "spec").get("storageClassName");
            assertThat(h2.named("StorageClass", className).get("volumeBindingMode")).isEqualTo("WaitForFirstConsumer");
            assertThat(map(podSpec(job), "securityContext").get("fsGroup")).as("the file is writable by the user")
                    .isEqualTo(10001);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theReadmeListsEveryFileOfTheBaseAndTheOverlays() throws IOException {
        String readme = Files.readString(JOBS.resolve("README.md"));
        for (Path d : List.of(BASE, EXAMPLE, H2)) {
            try (Stream<Path> files = Files.list(d)) {
                files.forEach(f -> assertThat(readme).as("jobs/README.md names " + f).contains(
                        JOBS.relativize(f).toString()));
            }
        }
        Map<String, Object> kustomization = new org.yaml.snakeyaml.Yaml().load(
                Files.readString(BASE.resolve("kustomization.yaml")));
        assertThat((List<Object>) kustomization.get("resources")).as("kustomize does not apply IAM")
                .doesNotContain("iam-policy.json");
    }

    /**
     * The migrate Job's script, run by {@code sh} with a stand-in zonemover: a first attempt migrates; a retry
     * after a dead pod resumes the job that attempt left (waiting while it is still owned); any other refusal is
     * passed on with its exit code, so the Job's podFailurePolicy sees it.
     */
    @Test
    void theMigrateJobsScriptResumesTheMoveAnEarlierAttemptLeftAndPassesOtherFailuresOn() throws Exception {
        String script = ((List<?>) container(base.named("Job", "zonemover-migrate")).get("args")).get(0).toString();
        assertThat(runScript(script, "fresh").exit()).isZero();
        assertThat(runScript(script, "fresh").calls()).containsExactly(
                "migrate NS/CLAIM --to auto --dry-run -o json", "migrate NS/CLAIM --to auto --yes -o json");

        Script bad = runScript(script, "bad");
        assertThat(bad.exit()).as("a bad claim is exit 2, not a success").isEqualTo(2);
        assertThat(bad.err()).contains("claim NS/CLAIM not found");
        assertThat(bad.calls()).containsExactly("migrate NS/CLAIM --to auto --dry-run -o json");

        Script locked = runScript(script, "locked");
        assertThat(locked.exit()).isZero();
        assertThat(locked.calls()).containsExactly("migrate NS/CLAIM --to auto --dry-run -o json",
                "jobs resume zm-abc123 --yes -o json", "sleep 15", "jobs resume zm-abc123 --yes -o json");

        Script failing = runScript(script, "lockedfail");
        assertThat(failing.exit()).as("a resume that fails is retried by the Job").isEqualTo(1);
        assertThat(failing.calls()).containsExactly("migrate NS/CLAIM --to auto --dry-run -o json",
                "jobs resume zm-abc123 --yes -o json");
    }

    record Script(int exit, String err, List<String> calls) {
    }

    private Script runScript(String script, String mode) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin-" + mode));
        Path tmp = Files.createDirectories(dir.resolve("tmp-" + mode + System.nanoTime()));
        Path log = tmp.resolve("calls.log");
        Files.writeString(bin.resolve("zonemover"), """
                #!/bin/sh
                echo "$*" >> "$LOG"
                case "$MODE:$*" in
                  fresh:migrate*--dry-run*) exit 0 ;;
                  fresh:migrate*) echo '{"status":"COMPLETED"}'; exit 0 ;;
                  bad:migrate*) echo "zonemover: error: claim NS/CLAIM not found" >&2; exit 2 ;;
                  locked*:migrate*) echo "zonemover: error: claim NS/CLAIM is locked by job zm-abc123 (STARTED); ..." >&2; exit 3 ;;
                  locked:jobs*)
                    if [ ! -e "$LOG.resumed" ]; then
                      touch "$LOG.resumed"
                      echo "zonemover: error: job zm-abc123 is running in process 7 on pod-a; ..." >&2; exit 3
                    fi
                    echo '{"status":"COMPLETED"}'; exit 0 ;;
                  lockedfail:jobs*) echo "zonemover: error: job zm-abc123: snapshot failed" >&2; exit 1 ;;
                esac
                exit 99
                """);
        Files.writeString(bin.resolve("sleep"), "#!/bin/sh\necho \"sleep $*\" >> \"$LOG\"\n");
        bin.resolve("zonemover").toFile().setExecutable(true);
        bin.resolve("sleep").toFile().setExecutable(true);
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script);
        Map<String, String> env = pb.environment();
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("CLAIM", "NS/CLAIM");
        env.put("ZONE", "auto");
        env.put("TMPDIR", tmp.toString());
        env.put("LOG", log.toString());
        env.put("MODE", mode);
        Path err = tmp.resolve("stderr");
        Process p = pb.redirectErrorStream(false).redirectError(err.toFile()).redirectOutput(tmp.resolve("stdout").toFile())
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return new Script(p.exitValue(), Files.readString(err), calls);
    }

    @Test
    void iamPolicyDeletesOnlyWhatZonemoverTaggedAsItsOwn() throws IOException {
        JsonNode policy = JSON.readTree(BASE.resolve("iam-policy.json").toFile());
        Map<String, String> deletes = new TreeMap<>(); // action + tag condition -> resource
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
        assertThat(deletes).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "ec2:DeleteSnapshot aws:ResourceTag/zonemover.io/protect", "arn:aws:ec2:*::snapshot/*",
                "ec2:DeleteSnapshot aws:ResourceTag/zonemover.io/job", "arn:aws:ec2:*::snapshot/*",
                "ec2:DeleteVolume aws:ResourceTag/zonemover.io/superseded-by", "arn:aws:ec2:*:*:volume/*")));
    }

    @Test
    void iamPolicyAllowsOnlyTheEc2CallsZonemoverMakesAndNoOtherDelete() throws IOException {
        JsonNode policy = JSON.readTree(BASE.resolve("iam-policy.json").toFile());
        assertThat(policy.get("Version").asText()).isEqualTo("2012-10-17");
        Set<String> ec2 = new HashSet<>();
        List<String> all = new ArrayList<>();
        for (JsonNode statement : policy.get("Statement")) {
            assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
            assertThat(statement.has("NotAction") || statement.has("NotResource"))
                    .as("no NotAction/NotResource: what is allowed is listed").isFalse();
            List<String> list = actions(statement);
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

    private static Map<String, String> envValues(Map<String, Object> workload) {
        Map<String, String> out = new LinkedHashMap<>();
        env(workload).forEach(e -> out.put((String) e.get("name"), (String) e.get("value")));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void assertDatabaseFromSecret(Map<String, Object> workload) {
        assertThat(env(workload)).as(name(workload) + " takes ZONEMOVER_DB from the Secret").anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("ZONEMOVER_DB");
            assertThat(map(map(e, "valueFrom"), "secretKeyRef")).containsEntry("name", "zonemover-db")
                    .containsEntry("key", "url");
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mountedConfigMap(Map<String, Object> workload, String mountPath) {
        String volumeName = ((List<Map<String, Object>>) container(workload).get("volumeMounts")).stream()
                .filter(m -> mountPath.equals(m.get("mountPath"))).map(m -> (String) m.get("name")).findFirst()
                .orElseThrow(() -> new AssertionError(name(workload) + " mounts nothing at " + mountPath));
        Map<String, Object> volume = ((List<Map<String, Object>>) podSpec(workload).get("volumes")).stream()
                .filter(v -> volumeName.equals(v.get("name"))).findFirst().orElseThrow();
        return base.named("ConfigMap", (String) map(volume, "configMap").get("name"));
    }
}
