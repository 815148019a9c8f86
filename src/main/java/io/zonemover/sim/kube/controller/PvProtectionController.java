package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;

/**
 * The PV protection controller and the external-provisioner's deletion finalizer: a PV being deleted goes
 * once no claim is bound to it, and, when the provisioner's finalizer is on it, once its EBS volume is
 * deleted (which waits for the volume to be detached).
 */
final class PvProtectionController implements Controller {

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        Ec2Side ec2 = ctx.ec2();
        for (ObjectNode v : new ArrayList<>(store.all(ResourceType.PVS))) {
            if (!Json.deleting(v)) {
                continue;
            }
            boolean changed = false;
            if (Json.hasFinalizer(v, KubeWorld.PV_PROTECTION) && Facts.claimOf(store, v) == null) {
                Json.removeFinalizer(v, KubeWorld.PV_PROTECTION);
                changed = true;
            }
            if (Json.hasFinalizer(v, KubeWorld.PROVISIONER_FINALIZER) && Facts.claimOf(store, v) == null) {
                String vol = Facts.volumeId(v);
                if (vol == null || ec2.volume(vol) == null || ec2.deleteVolume(vol, ctx.now())) {
                    Json.removeFinalizer(v, KubeWorld.PROVISIONER_FINALIZER);
                    changed = true;
                } else {
                    ctx.waitingOnEc2();
                }
            }
            if (changed || Json.noFinalizers(v)) {
                ctx.api().finishOrTouch(ResourceType.PVS, v, ctx.now(), ec2);
            }
        }
    }
}
