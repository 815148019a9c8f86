package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.World;
import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.controller.Controller;
import io.zonemover.sim.kube.controller.ControllerManager;
import io.zonemover.sim.kube.controller.NodeLifecycleController;
import io.zonemover.sim.kube.controller.PersistentVolumeBinder;
import io.zonemover.sim.kube.controller.Scheduler;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.ResourceType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Each controller can be run alone, or with the few a test chooses: what one does is not another's doing. */
class ControllersAloneTest {

    private static final long T0 = 1_750_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private World world;
    private KubeWorld kube;
    private Ec2Side ec2;

    private void start(Controller... controllers) throws Exception {
        Ec2World e = Ec2World.empty("us-east-1");
        kube = KubeWorld.empty(T0).withControllers(ControllerManager.of(controllers));
        world = new World(e, kube, T0);
        ec2 = Ec2Side.of(e);
        create(ResourceType.NODES, null, """
                {"metadata": {"name": "node-b", "labels": {"topology.kubernetes.io/zone": "us-east-1b"}},
                 "spec": {"providerID": "aws:///us-east-1b/i-0123456789abcdef0"},
                 "status": {"allocatable": {"cpu": "2", "memory": "8Gi", "pods": "29"},
                            "conditions": [{"type": "Ready", "status": "True"}]}}""");
        create(ResourceType.STORAGECLASSES, null, """
                {"metadata": {"name": "gp3"}, "provisioner": "ebs.csi.aws.com",
                 "volumeBindingMode": "Immediate", "parameters": {"type": "gp3"}}""");
        create(ResourceType.PVCS, "default", """
                {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                 "resources": {"requests": {"storage": "10Gi"}}}}""");
        create(ResourceType.PODS, "default", """
                {"metadata": {"name": "app"}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}],
                 "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}}""");
        world.advanceTo(T0 + 60_000);
    }

    private void create(ResourceType type, String ns, String body) throws Exception {
        kube.create(type, ns, JSON.readTree(body), world == null ? T0 : world.now(), ec2);
        world.settle();
    }

    private JsonNode get(ResourceType type, String ns, String name) {
        return kube.find(type, ns, name);
    }

    private boolean anyEvent(String reason) {
        for (ObjectNode e : kube.list(ResourceType.EVENTS, null, null, null)) {
            if (reason.equals(e.path("reason").asText())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theBinderAloneProvisionsAndBindsButNobodySchedulesThePod() throws Exception {
        start(new PersistentVolumeBinder());

        JsonNode claim = get(ResourceType.PVCS, "default", "data");
        assertThat(claim.path("status").path("phase").asText()).isEqualTo("Bound");
        JsonNode pv = get(ResourceType.PVS, null, claim.path("spec").path("volumeName").asText());
        assertThat(Facts.pvZone(pv)).isEqualTo("us-east-1b");
        JsonNode pod = get(ResourceType.PODS, "default", "app");
        assertThat(pod.path("spec").has("nodeName")).isFalse();
        assertThat(pod.path("status").path("phase").asText()).isEqualTo("Pending");
        assertThat(anyEvent("ProvisioningSucceeded")).isTrue();
        assertThat(anyEvent("FailedScheduling")).isFalse();
    }

    @Test
    void theSchedulerAloneWaitsForTheImmediateClaimThatNobodyBinds() throws Exception {
        start(new Scheduler());

        assertThat(get(ResourceType.PVCS, "default", "data").path("status").path("phase").asText())
                .isEqualTo("Pending");
        assertThat(get(ResourceType.PODS, "default", "app").path("spec").has("nodeName")).isFalse();
        assertThat(kube.list(ResourceType.EVENTS, "default", null, null)).anySatisfy(e -> {
            assertThat(e.path("reason").asText()).isEqualTo("FailedScheduling");
            assertThat(e.path("message").asText()).contains("pod has unbound immediate PersistentVolumeClaims");
        });
    }

    @Test
    void binderAndSchedulerPlaceThePodButWithoutAttacherOrKubeletItNeverRuns() throws Exception {
        start(new PersistentVolumeBinder(), new Scheduler());

        JsonNode pod = get(ResourceType.PODS, "default", "app");
        assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo("node-b");
        assertThat(pod.path("status").path("phase").asText()).isEqualTo("Pending");
        assertThat(kube.list(ResourceType.VOLUMEATTACHMENTS, null, null, null)).isEmpty();
    }

    @Test
    void theNodeLifecycleControllerAloneTaintsACordonedNodeAndNothingElseMoves() throws Exception {
        start(new NodeLifecycleController());
        kube.patch(ResourceType.NODES, null, "node-b", "application/merge-patch+json",
                JSON.readTree("{\"spec\": {\"unschedulable\": true}}"), false, world.now(), ec2);
        world.settle();

        JsonNode taints = get(ResourceType.NODES, null, "node-b").path("spec").path("taints");
        assertThat(taints).hasSize(1);
        assertThat(taints.get(0).path("key").asText()).isEqualTo("node.kubernetes.io/unschedulable");
        assertThat(get(ResourceType.PVCS, "default", "data").path("status").path("phase").asText())
                .isEqualTo("Pending");
        assertThat(kube.list(ResourceType.EVENTS, null, null, null)).isEmpty();
    }
}
