package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.models.V1Pod;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.Patches;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Strategic merge patch as k8s.io/apimachinery's strategicpatch applies it, on a Pod. */
class PatchesTest {

    static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s.replace('\'', '"'));
    }

    static String smp(String target, String patch) throws Exception {
        return Patches.strategicMergePatch(json(target), json(patch), V1Pod.class).toString().replace('"', '\'');
    }

    static final String POD = "{'metadata':{'name':'p','finalizers':['a','b'],'labels':{'x':'1'}},"
            + "'spec':{'containers':[{'name':'web','image':'nginx','env':[{'name':'A','value':'1'},"
            + "{'name':'B','value':'2'}],'ports':[{'containerPort':80}]},{'name':'side','image':'busybox'}],"
            + "'volumes':[{'name':'data','persistentVolumeClaim':{'claimName':'c'}}],"
            + "'tolerations':[{'key':'k1'},{'key':'k2'}]}}";

    @Test
    void listsWithAMergeKeyMergeByIt() throws Exception {
        String out = smp(POD, "{'spec':{'containers':[{'name':'web','image':'nginx:2','env':[{'name':'C','value':"
                + "'3'}]}]}}");
        assertThat(out).contains("{'name':'web','image':'nginx:2','env':[{'name':'A','value':'1'},{'name':'B',"
                + "'value':'2'},{'name':'C','value':'3'}],'ports':[{'containerPort':80}]}")
                .contains("{'name':'side','image':'busybox'}");
    }

    @Test
    void primitiveListsMergeAsSetsAndAtomicListsAreReplaced() throws Exception {
        String out = smp(POD, "{'metadata':{'finalizers':['c','a']},'spec':{'tolerations':[{'key':'k3'}]}}");
        assertThat(out).contains("'finalizers':['a','b','c']").contains("'tolerations':[{'key':'k3'}]");
    }

    @Test
    void directives() throws Exception {
        assertThat(smp(POD, "{'spec':{'containers':[{'name':'side','$patch':'delete'}]}}"))
                .doesNotContain("busybox").contains("'name':'web'");
        assertThat(smp(POD, "{'spec':{'containers':[{'name':'only','image':'x'},{'$patch':'replace'}]}}"))
                .contains("'containers':[{'name':'only','image':'x'}]");
        assertThat(smp(POD, "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}"))
                .contains("'finalizers':['b']");
        assertThat(smp(POD, "{'spec':{'$setElementOrder/containers':[{'name':'side'},{'name':'web'}]}}"))
                .containsPattern("'containers':\\[\\{'name':'side'.*\\{'name':'web'");
        assertThat(smp(POD, "{'metadata':{'labels':{'$patch':'replace','y':'2'}}}")).contains("'labels':{'y':'2'}");
        assertThat(smp(POD, "{'metadata':{'labels':{'x':null}}}")).contains("'labels':{}");
        // $retainKeys: a volume switched from one source to another keeps only the new one.
        assertThat(smp(POD, "{'spec':{'volumes':[{'name':'data','$retainKeys':['name','emptyDir'],"
                + "'emptyDir':{}}]}}")).contains("'volumes':[{'name':'data','emptyDir':{}}]");
    }
}
