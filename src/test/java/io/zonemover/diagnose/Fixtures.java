package io.zonemover.diagnose;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1NodeSelector;
import io.kubernetes.client.openapi.models.V1NodeSelectorRequirement;
import io.kubernetes.client.openapi.models.V1NodeSelectorTerm;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimSpec;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimVolumeSource;
import io.kubernetes.client.openapi.models.V1PersistentVolumeSpec;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.kubernetes.client.openapi.models.V1Taint;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1AWSElasticBlockStoreVolumeSource;
import io.kubernetes.client.openapi.models.V1CSIPersistentVolumeSource;
import io.kubernetes.client.openapi.models.V1VolumeNodeAffinity;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small builders for the Kubernetes objects a diagnosis reads. */
final class Fixtures {

    private Fixtures() {
    }

    static V1Node node(String name, String zone, String cpu, String memory) {
        return new V1Node().metadata(new V1ObjectMeta().name(name).uid(UUID.randomUUID().toString())
                        .labels(Map.of("topology.kubernetes.io/zone", zone, "kubernetes.io/hostname", name)))
                .spec(new V1NodeSpec())
                .status(new V1NodeStatus().allocatable(Map.of("cpu", Quantity.fromString(cpu),
                                "memory", Quantity.fromString(memory)))
                        .conditions(List.of(new V1NodeCondition().type("Ready").status("True"))));
    }

    static V1Node cordon(V1Node node) {
        node.getSpec().setUnschedulable(true);
        return node;
    }

    static V1Node taint(V1Node node, String key, String value) {
        node.getSpec().setTaints(List.of(new V1Taint().key(key).value(value).effect("NoSchedule")));
        return node;
    }

    static V1Pod pod(String ns, String name, String sts, String claim, String nodeName, String cpu) {
        V1PodSpec spec = new V1PodSpec().nodeName(nodeName)
                .containers(List.of(new V1Container().name("app").resources(new V1ResourceRequirements()
                        .requests(Map.of("cpu", Quantity.fromString(cpu), "memory", Quantity.fromString("256Mi"))))));
        if (claim != null) {
            spec.volumes(List.of(new V1Volume().name("data")
                    .persistentVolumeClaim(new V1PersistentVolumeClaimVolumeSource().claimName(claim))));
        }
        V1ObjectMeta meta = new V1ObjectMeta().namespace(ns).name(name).uid(UUID.randomUUID().toString());
        if (sts != null) {
            meta.ownerReferences(List.of(new V1OwnerReference().kind("StatefulSet").name(sts).apiVersion("apps/v1")
                    .uid("sts-uid").controller(true)));
        }
        return new V1Pod().metadata(meta).spec(spec)
                .status(new V1PodStatus().phase(nodeName == null ? "Pending" : "Running"));
    }

    static V1Pod unschedulable(V1Pod pod, String message) {
        pod.getStatus().conditions(List.of(new V1PodCondition().type("PodScheduled").status("False")
                .reason("Unschedulable").message(message)));
        return pod;
    }

    static V1PersistentVolumeClaim claim(String ns, String name, String pv, String storageClass) {
        return new V1PersistentVolumeClaim().metadata(new V1ObjectMeta().namespace(ns).name(name).uid(UUID.randomUUID().toString()))
                .spec(new V1PersistentVolumeClaimSpec().volumeName(pv).storageClassName(storageClass));
    }

    static V1PersistentVolume csiPv(String name, String volumeId, String zoneKey, String zone) {
        return new V1PersistentVolume().metadata(new V1ObjectMeta().name(name))
                .spec(new V1PersistentVolumeSpec()
                        .csi(new V1CSIPersistentVolumeSource().driver("ebs.csi.aws.com").volumeHandle(volumeId))
                        .nodeAffinity(new V1VolumeNodeAffinity().required(new V1NodeSelector().nodeSelectorTerms(List.of(
                                new V1NodeSelectorTerm().matchExpressions(List.of(new V1NodeSelectorRequirement()
                                        .key(zoneKey).operator("In").values(List.of(zone)))))))));
    }

    static V1PersistentVolume inTreePv(String name, String volumeId, Map<String, String> labels) {
        return new V1PersistentVolume().metadata(new V1ObjectMeta().name(name).labels(labels))
                .spec(new V1PersistentVolumeSpec()
                        .awsElasticBlockStore(new V1AWSElasticBlockStoreVolumeSource().volumeID(volumeId).fsType("ext4")));
    }

    static V1StorageClass storageClass(String name, String provisioner, String mode) {
        return new V1StorageClass().metadata(new V1ObjectMeta().name(name)).provisioner(provisioner).volumeBindingMode(mode);
    }

    static V1StatefulSet statefulSet(String ns, String name, int replicas, String template, String cpu) {
        V1PodSpec podSpec = new V1PodSpec().containers(List.of(new V1Container().name("app")
                .resources(new V1ResourceRequirements().requests(Map.of("cpu", Quantity.fromString(cpu))))));
        V1StatefulSetSpec spec = new V1StatefulSetSpec().replicas(replicas)
                .template(new V1PodTemplateSpec().spec(podSpec))
                .volumeClaimTemplates(List.of(new V1PersistentVolumeClaim().metadata(new V1ObjectMeta().name(template))));
        return new V1StatefulSet().metadata(new V1ObjectMeta().namespace(ns).name(name)).spec(spec);
    }

    static CoreV1Event event(V1Pod pod, String reason, String message) {
        return new CoreV1Event().metadata(new V1ObjectMeta().namespace(pod.getMetadata().getNamespace())
                        .name(pod.getMetadata().getName() + "." + UUID.randomUUID()))
                .involvedObject(new V1ObjectReference().kind("Pod").namespace(pod.getMetadata().getNamespace())
                        .name(pod.getMetadata().getName()).uid(pod.getMetadata().getUid()))
                .reason(reason).message(message).type("Warning");
    }
}
