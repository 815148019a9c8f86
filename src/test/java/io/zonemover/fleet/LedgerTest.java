package io.zonemover.fleet;

import io.zonemover.domain.Placement.Node;
import io.zonemover.domain.Placement.PodNeeds;
import io.zonemover.domain.Placement.Taint;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.zonemover.fleet.Fleets.B;
import static io.zonemover.fleet.Fleets.C;
import static io.zonemover.fleet.Fleets.MI;
import static org.assertj.core.api.Assertions.assertThat;

class LedgerTest {

    static final PodNeeds POD = PodNeeds.of(250, 256 * MI);

    static Node node(String name, String zone, long freeMilliCpu) {
        return new Node(name, zone, true, true, List.of(), Map.of(), 4000, 16384 * MI, 4000 - freeMilliCpu, 0);
    }

    @Test
    void seatsGoFirstToTheFittingNodeWithTheMostFreeCpuAndAreCountedThere() {
        Ledger ledger = new Ledger(List.of(node("small", B, 300), node("big", B, 600), node("other", C, 4000)));

        assertThat(ledger.reserve(B, POD)).contains("big");
        assertThat(ledger.reserve(B, POD)).contains("big");
        assertThat(ledger.reserve(B, POD)).contains("small");
        assertThat(ledger.reserve(B, POD)).isEmpty();
        assertThat(ledger.fit(B, POD).summary()).isEqualTo("0/2 nodes are available: 2 Insufficient cpu.");
        assertThat(ledger.nodes()).filteredOn(n -> n.zone().equals(B))
                .extracting(Node::freeMilliCpu).containsExactly(50L, 100L);
    }

    @Test
    void tiesGoToTheNodeNameFirst() {
        Ledger ledger = new Ledger(List.of(node("n2", B, 1000), node("n1", B, 1000)));

        assertThat(ledger.reserve(B, POD)).contains("n1");
    }

    @Test
    void aReleasedSeatIsFreeAgain() {
        Ledger ledger = new Ledger(List.of(node("only", B, 250)));
        String seat = ledger.reserve(B, POD).orElseThrow();
        assertThat(ledger.fit(B, POD).fits()).isFalse();

        ledger.release(seat, POD);

        assertThat(ledger.fit(B, POD).fits()).isTrue();
    }

    @Test
    void aFullZoneIsStillUsableButATaintedOrNotReadyOneIsNot() {
        Node full = node("full", B, 0);
        Node tainted = new Node("t", C, true, true, List.of(new Taint("dedicated", "x", "NoSchedule")), Map.of(),
                4000, 16384 * MI, 0, 0);
        Node notReady = new Node("nr", "us-east-1d", false, true, List.of(), Map.of(), 4000, 16384 * MI, 0, 0);
        Ledger ledger = new Ledger(List.of(full, tainted, notReady));

        assertThat(ledger.usable(B, POD)).isTrue();
        assertThat(ledger.usable(C, POD)).isFalse();
        assertThat(ledger.usable("us-east-1d", POD)).isFalse();
        assertThat(ledger.usable("us-east-1a", POD)).isFalse();
    }

    @Test
    void knowsTheZoneOfANode() {
        Ledger ledger = new Ledger(List.of(node("n", C, 0)));

        assertThat(ledger.zoneOf("n")).contains(C);
        assertThat(ledger.zoneOf("gone")).isEmpty();
        assertThat(ledger.zoneOf(null)).isEmpty();
    }
}
