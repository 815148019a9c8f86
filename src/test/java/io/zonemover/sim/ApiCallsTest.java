package io.zonemover.sim;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.util.ClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The world counts every request its two endpoints receive, EC2 per Action (throttled and failed ones apart too),
 * Kubernetes per verb and resource; the counts persist beside the world, so that every process serving it adds
 * to them, and `sim show --json` carries them as {@code apiCalls}, just before {@code history}.
 */
class ApiCallsTest {

    private static final long T0 = 1_750_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void countsEveryRequestOfBothApisAndKeepsTheCountsWithTheWorld() throws Exception {
        WorldStore store = WorldStore.create(dir, Scenarios.create("stuck-pod", Map.of(), T0), 0.0, "stuck-pod");
        assertThat(store.show()).as("a new world has received no calls").doesNotContainKey("apiCalls");

        store.write(w -> {
            w.ec2().faults().throttleNext(2);
            return null;
        });
        try (SimServers servers = SimServers.start(store, 0, 0); Ec2Client ec2 = ec2(servers)) {
            ec2.describeVolumes();                    // throttled twice, answered the third time
            ec2.describeAvailabilityZones();
            assertThatThrownBy(() -> ec2.describeSnapshots(r -> r.snapshotIds("snap-0000000000000beef")))
                    .isInstanceOf(Ec2Exception.class);
            CoreV1Api core = new CoreV1Api(kube(servers));
            core.listNamespacedPod("default").execute();
            core.readNamespacedPod("web-0", "default").execute();
            core.listNode().execute();
        }
        ApiCalls calls = store.calls().read();
        assertThat(calls.ec2("DescribeVolumes")).isEqualTo(3);
        assertThat(calls.ec2("DescribeAvailabilityZones")).isEqualTo(1);
        assertThat(calls.ec2("DescribeSnapshots")).isEqualTo(1);
        assertThat(calls.ec2Throttled()).isEqualTo(2);
        assertThat(calls.ec2Errors()).as("InvalidSnapshot.NotFound").isEqualTo(1);
        assertThat(calls.show().get("kube")).isEqualTo(Map.of("list pods", 1L, "get pods", 1L, "list nodes", 1L));

        // Another process serving the same world (here: a second store of the directory) adds to the same counts.
        WorldStore again = WorldStore.open(dir);
        try (SimServers servers = SimServers.start(again, 0, 0); Ec2Client ec2 = ec2(servers)) {
            ec2.describeVolumes();
        }
        assertThat(WorldStore.open(dir).calls().read().ec2("DescribeVolumes")).isEqualTo(4);

        Map<String, Object> shown = store.show();
        List<String> keys = new ArrayList<>(shown.keySet());
        assertThat(keys.get(keys.size() - 1)).isEqualTo("history");
        assertThat(keys.get(keys.size() - 2)).isEqualTo("apiCalls");
        assertThat(shown.get("apiCalls")).isEqualTo(store.calls().read().show());

        assertThat(store.calls().reset().ec2Total()).isEqualTo(6);
        assertThat(store.calls().read().isEmpty()).isTrue();
        assertThat(store.show()).doesNotContainKey("apiCalls");
    }

    private static Ec2Client ec2(SimServers servers) {
        return Ec2Client.builder().endpointOverride(servers.ec2Uri()).region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("sim", "sim")))
                // The standard mode's retries without its delays: the throttled calls are retried at once.
                .overrideConfiguration(c -> c.retryStrategy(b -> b.backoffStrategy(BackoffStrategy.retryImmediately())
                        .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())))
                .build();
    }

    private static ApiClient kube(SimServers servers) {
        return new ClientBuilder().setBasePath(servers.kubeUri().toString()).build();
    }
}
