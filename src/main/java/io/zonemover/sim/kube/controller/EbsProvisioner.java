package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.Quantity;
import io.zonemover.sim.kube.store.ResourceType;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Dynamic provisioning for the in-tree aws-ebs plugin and the EBS CSI driver: creates the EBS volume in the
 * zone binding mode implies (the selected node's under WaitForFirstConsumer, the in-tree zone choice under
 * Immediate), and the PV for it, as each provisioner writes it.
 */
final class EbsProvisioner {

    private EbsProvisioner() {
    }

    /**
     * volumehelpers.ChooseZoneForVolume: Immediate binding ignores the pod; the zone comes from a hash of the
     * claim name, with StatefulSet ordinals spread round-robin from the hash of the name's base.
     */
    static String chooseZoneForVolume(ControllerContext ctx, String claimName) {
        List<String> zones = Facts.nodeZones(ctx.store());
        if (zones.isEmpty()) {
            return null;
        }
        String base = claimName;
        long index = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.*)-(\\d+)$").matcher(claimName);
        if (m.matches() && m.group(2).length() < 10) {
            base = m.group(1);
            index = Long.parseLong(m.group(2));
        }
        int h = 0x811c9dc5;
        for (byte b : base.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x01000193;
        }
        long hash = Integer.toUnsignedLong(h);
        return zones.get((int) ((hash + index) % zones.size()));
    }

    static void provision(ControllerContext ctx, ObjectNode c, ObjectNode sc, String zone) {
        long now = ctx.now();
        Ec2Side ec2 = ctx.ec2();
        ObjectStore store = ctx.store();
        String provisioner = Json.text(sc, "provisioner");
        boolean csi = KubeWorld.EBS_CSI.equals(provisioner);
        String pvName = "pvc-" + Json.uid(c);
        if (store.find(ResourceType.PVS, null, pvName) != null) {
            return;
        }
        Map<String, String> params = Json.stringMap(sc.get("parameters"));
        Map<String, String> lower = new HashMap<>();
        params.forEach((k, v) -> lower.put(k.toLowerCase(), v));
        int size = Quantity.gib(Json.text(c, "spec", "resources", "requests", "storage"));
        String type = lower.getOrDefault("type", csi ? "gp3" : "gp2");
        Integer iops = null;
        if (lower.containsKey("iops")) {
            iops = Integer.parseInt(lower.get("iops"));
        } else if (lower.containsKey("iopspergb")) {
            iops = Integer.parseInt(lower.get("iopspergb")) * size;
        }
        Integer throughput = lower.containsKey("throughput") ? Integer.parseInt(lower.get("throughput")) : null;
        boolean encrypted = "true".equalsIgnoreCase(lower.get("encrypted"));
        String kms = lower.get("kmskeyid");
        String fsType = lower.getOrDefault("csi.storage.k8s.io/fstype", lower.getOrDefault("fstype", "ext4"));
        Map<String, String> tags = new TreeMap<>();
        if (csi) {
            tags.put("CSIVolumeName", pvName);
            tags.put("ebs.csi.aws.com/cluster", "true");
        } else {
            tags.put("Name", "kubernetes-dynamic-" + pvName);
        }
        tags.put("kubernetes.io/created-for/pvc/name", Json.name(c));
        tags.put("kubernetes.io/created-for/pvc/namespace", Json.namespace(c));
        tags.put("kubernetes.io/created-for/pv/name", pvName);
        String volumeId = ec2.createVolume(zone, size, type, iops, throughput, encrypted, kms, tags, now, true);
        ObjectNode pv = Json.obj();
        ObjectNode m = pv.putObject("metadata");
        m.put("name", pvName);
        ObjectNode ann = m.putObject("annotations");
        ann.put("pv.kubernetes.io/provisioned-by", provisioner);
        if (csi) {
            ann.put("volume.kubernetes.io/provisioner-deletion-secret-name", "");
            ann.put("volume.kubernetes.io/provisioner-deletion-secret-namespace", "");
        }
        String policy = Json.text(sc, "reclaimPolicy") == null ? "Delete" : Json.text(sc, "reclaimPolicy");
        ObjectNode spec = pv.putObject("spec");
        spec.set("accessModes", Json.at(c, "spec", "accessModes").deepCopy());
        spec.putObject("capacity").put("storage", size + "Gi");
        spec.put("persistentVolumeReclaimPolicy", policy);
        spec.put("storageClassName", Json.name(sc));
        spec.put("volumeMode", Json.text(c, "spec", "volumeMode") == null ? "Filesystem"
                : Json.text(c, "spec", "volumeMode"));
        String zoneKey;
        if (csi) {
            ObjectNode csiSrc = spec.putObject("csi");
            csiSrc.put("driver", KubeWorld.EBS_CSI);
            csiSrc.put("volumeHandle", volumeId);
            csiSrc.put("fsType", fsType);
            csiSrc.putObject("volumeAttributes").put("storage.kubernetes.io/csiProvisionerIdentity",
                    "1700000000000-8081-ebs.csi.aws.com");
            zoneKey = KubeWorld.ZONE;
        } else {
            ObjectNode src = spec.putObject("awsElasticBlockStore");
            src.put("volumeID", "aws://" + zone + "/" + volumeId);
            src.put("fsType", fsType);
            ObjectNode labels = m.putObject("labels");
            labels.put(KubeWorld.ZONE_BETA, zone);
            labels.put(KubeWorld.REGION_BETA, zone.replaceAll("[a-z]$", ""));
            zoneKey = KubeWorld.ZONE_BETA;
        }
        ObjectNode expr = spec.putObject("nodeAffinity").putObject("required").putArray("nodeSelectorTerms")
                .addObject().putArray("matchExpressions").addObject();
        expr.put("key", zoneKey);
        expr.put("operator", "In");
        expr.putArray("values").add(zone);
        ObjectNode created = ctx.api().create(ResourceType.PVS, null, pv, now, ec2);
        if (csi && "Delete".equals(policy)) {
            Json.addFinalizer(created, KubeWorld.PROVISIONER_FINALIZER);
        }
        ObjectNode cann = Json.with(Json.meta(c), "annotations");
        cann.put("volume.kubernetes.io/storage-provisioner", provisioner);
        cann.put("volume.beta.kubernetes.io/storage-provisioner", provisioner);
        PersistentVolumeBinder.bind(ctx, c, created, true);
        ctx.record(ResourceType.PVCS, c, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume "
                + pvName + (csi ? "" : " using " + provisioner), csi ? "ebs.csi.aws.com_ebs-csi-controller"
                : "persistentvolume-controller");
    }
}
