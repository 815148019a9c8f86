package io.zonemover.adapters;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.zonemover.aws.BlockStore;
import io.zonemover.aws.Ec2BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.cluster.KubeCluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.WorldStore;
import io.zonemover.testing.PortContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.nio.file.Path;
import java.util.Map;

/**
 * The same contract the in-memory fakes keep, held by the real adapters (client-java and the AWS SDK's
 * Ec2Client) over HTTP against the simulated world: what the step tests show on the fakes holds here too.
 */
class RealPortsContractTest extends PortContract {

    private static final long T0 = 1_750_000_000_000L;

    @TempDir
    Path dir;

    private WorldStore store;
    private SimServers servers;
    private Ec2Client ec2;
    private Cluster cluster;
    private BlockStore blockStore;

    @Override
    protected void newWorld() {
        // Time scale 0: the world's clock moves only in settle().
        store = WorldStore.create(dir.resolve("world"), Scenarios.create("stuck-pod", Map.of(), T0), 0.0, "stuck-pod");
        servers = SimServers.start(store, 0, 0);
        ApiClient client = new ClientBuilder().setBasePath(servers.kubeUri().toString()).build();
        cluster = new KubeCluster(client);
        ec2 = Ec2Client.builder().endpointOverride(servers.ec2Uri()).region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("sim", "sim")))
                .build();
        blockStore = new Ec2BlockStore(ec2);
    }

    @AfterEach
    void close() {
        ec2.close();
        servers.close();
    }

    @Override
    protected Cluster cluster() {
        return cluster;
    }

    @Override
    protected BlockStore blockStore() {
        return blockStore;
    }

    @Override
    protected ClaimRef freeClaim() {
        return new ClaimRef("default", "www-web-1");
    }

    @Override
    protected void settle() {
        store.write(world -> {
            world.advanceTo(world.now() + 30_000);
            return null;
        });
    }
}
