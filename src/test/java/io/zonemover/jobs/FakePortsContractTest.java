package io.zonemover.jobs;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.testing.FakeWorld;
import io.zonemover.testing.PortContract;

/** The fakes keep the ports' contract, so what the step tests show on them holds for the real adapters. */
class FakePortsContractTest extends PortContract {

    private FakeWorld world;

    @Override
    protected void newWorld() {
        world = FakeWorld.zones("us-east-1b", "us-east-1c").statefulSet("default", "web").pods(2).add();
    }

    @Override
    protected Cluster cluster() {
        return world.cluster();
    }

    @Override
    protected BlockStore blockStore() {
        return world.ec2();
    }

    @Override
    protected ClaimRef freeClaim() {
        return new ClaimRef("default", "www-web-1");
    }

    @Override
    protected void settle() {
        world.settle();
    }
}
