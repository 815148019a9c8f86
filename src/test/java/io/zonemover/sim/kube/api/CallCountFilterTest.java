package io.zonemover.sim.kube.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The name a Kubernetes request is counted under: verb and resource, as the API server's audit log says them. */
class CallCountFilterTest {

    @ParameterizedTest(name = "{0} {1}?{2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "GET    | /api/v1/namespaces/default/pods              | -                    | list pods",
            "GET    | /api/v1/pods                                 | labelSelector=app%3Dweb | list pods",
            "GET    | /api/v1/namespaces/default/pods              | watch=true&resourceVersion=7 | watch pods",
            "GET    | /api/v1/namespaces/default/pods/web-0        | -                    | get pods",
            "GET    | /api/v1/nodes                                | -                    | list nodes",
            "GET    | /api/v1/namespaces/default                   | -                    | get namespaces",
            "POST   | /api/v1/namespaces/default/configmaps        | -                    | create configmaps",
            "PUT    | /apis/apps/v1/namespaces/default/statefulsets/web/status | -        | update statefulsets/status",
            "PATCH  | /api/v1/persistentvolumes/pv-1               | -                    | patch persistentvolumes",
            "POST   | /api/v1/namespaces/default/pods/web-0/eviction | -                  | create pods/eviction",
            "DELETE | /api/v1/namespaces/default/pods/web-0        | -                    | delete pods",
            "DELETE | /api/v1/namespaces/default/pods              | -                    | deletecollection pods",
            "GET    | /apis/storage.k8s.io/v1/volumeattachments    | -                    | list volumeattachments",
            "GET    | /apis                                        | -                    | get discovery",
            "GET    | /api/v1                                      | -                    | get discovery",
            "GET    | /openapi/v3                                  | -                    | get discovery",
            "GET    | /version                                     | -                    | get discovery"})
    void namesEachRequestByVerbAndResource(String method, String path, String query, String expected) {
        assertThat(CallCountFilter.name(method, path, query)).isEqualTo(expected);
    }
}
