package io.zonemover.sim.kube.api;

import java.util.ArrayList;
import java.util.List;

/**
 * What a request path names, read from the path alone (no routing, no check that the kind exists): group,
 * resource (plural), object name and subresource; empty strings where the path has none. Enough for a Conflict
 * message ({@link KubeFaultFilter}) and for counting calls per resource ({@link CallCountFilter}).
 */
record ApiPath(String group, String resource, String name, String sub) {

    /** {@code plural} or {@code plural.group}, as a Status message names a resource. */
    String qualified() {
        return group.isEmpty() ? resource : resource + "." + group;
    }

    static ApiPath of(String path) {
        List<String> seg = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                seg.add(s);
            }
        }
        String group = "";
        int i;
        if (!seg.isEmpty() && seg.get(0).equals("apis") && seg.size() > 2) {
            group = seg.get(1);
            i = 3;
        } else {
            i = 2;
        }
        if (seg.size() > i + 2 && seg.get(i).equals("namespaces")) {
            i += 2;
        }
        boolean api = !seg.isEmpty() && (seg.get(0).equals("api") || seg.get(0).equals("apis"));
        String resource = api && seg.size() > i ? seg.get(i) : "";
        String name = api && seg.size() > i + 1 ? seg.get(i + 1) : "";
        String sub = api && seg.size() > i + 2 ? seg.get(i + 2) : "";
        return new ApiPath(group, resource, name, sub);
    }
}
