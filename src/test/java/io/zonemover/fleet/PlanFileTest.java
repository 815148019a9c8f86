package io.zonemover.fleet;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.FleetPlan.Limits;
import io.zonemover.fleet.FleetPlan.Move;
import io.zonemover.fleet.FleetPlan.Selection;
import io.zonemover.fleet.FleetPlan.Strategy;
import io.zonemover.fleet.FleetPlan.StrategyType;
import io.zonemover.fleet.FleetState.ClaimState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanFileTest {

    static final List<String> REGION = List.of("us-east-1b", "us-east-1c", "us-east-1d");

    /** A valid plan; the line numbers in the expected errors below count from its first line. */
    static final String BASE = """
            apiVersion: zonemover.io/v1alpha1
            kind: MigrationPlan
            metadata:
              name: spread-1
              createdAt: "2025-06-02T09:30:00Z"
            spec:
              selection:
                namespaces: [shop]
                allNamespaces: false
                labelSelector: ""
                statefulSets: []
              strategy:
                type: spread
                zones: []
              limits:
                parallel: 2
                maxUnavailable: 1
                maxFailures: 1
              moves:
              - pod: shop/orders-2
                statefulSet: orders
                from: us-east-1b
                to: us-east-1c
                claims:
                - {name: data-orders-2, volumeId: vol-0a2, zone: us-east-1b, sizeGiB: 10}
              - pod: shop/orders-1
                statefulSet: orders
                from: us-east-1b
                to: us-east-1d
                claims:
                - {name: data-orders-1, volumeId: vol-0a1, zone: us-east-1b, sizeGiB: 10}
            status:
              before: {shop/orders: {us-east-1b: 3}}
              after: {}
              notes: [all good]
            """;

    static FleetPlan read(String yaml) {
        return PlanFile.read("plan.yaml", new StringReader(yaml), REGION);
    }

    /** BASE with {@code from} replaced by {@code to} (which must be in it). */
    static String edit(String from, String to) {
        assertThat(BASE).contains(from);
        return BASE.replace(from, to);
    }

    static void refused(String yaml, String message) {
        assertThatThrownBy(() -> read(yaml))
                .isInstanceOf(ZonemoverException.class)
                .hasMessage(message)
                .extracting(e -> ((ZonemoverException) e).kind()).isEqualTo(ZonemoverException.Kind.BAD_INPUT);
    }

    @Test
    void readsEveryField() {
        FleetPlan plan = read(BASE);

        assertThat(plan.name()).isEqualTo("spread-1");
        assertThat(plan.createdAt()).isEqualTo("2025-06-02T09:30:00Z");
        assertThat(plan.selection()).isEqualTo(new Selection(List.of("shop"), false, null, List.of()));
        assertThat(plan.strategy()).isEqualTo(new Strategy(StrategyType.SPREAD, List.of()));
        assertThat(plan.limits()).isEqualTo(new Limits(2, 1, 1));
        assertThat(plan.moves()).containsExactly(
                new Move("shop/orders-2", "orders", List.of(new ClaimState("data-orders-2", "vol-0a2", "us-east-1b", 10)),
                        "us-east-1b", "us-east-1c", 20),
                new Move("shop/orders-1", "orders", List.of(new ClaimState("data-orders-1", "vol-0a1", "us-east-1b", 10)),
                        "us-east-1b", "us-east-1d", 26));
        assertThat(plan.before()).isEqualTo(Map.of("shop/orders", Map.of("us-east-1b", 3)));
        assertThat(plan.notes()).containsExactly("all good");
        assertThat(plan.nothingToDo()).isFalse();
    }

    @Test
    void eachMoveKnowsItsLineForTheChecksAgainstTheCluster() {
        assertThat(read(BASE).moves()).extracting(Move::line).containsExactly(20, 26);
    }

    @Test
    void anEmptyMovesListIsValidAndSaysThereIsNothingToDo() {
        String yaml = BASE.substring(0, BASE.indexOf("  moves:")) + "  moves: []\n";

        assertThat(read(yaml).nothingToDo()).isTrue();
    }

    @Test
    void optionalPartsTakeTheirDefaults() {
        String yaml = """
                apiVersion: zonemover.io/v1alpha1
                kind: MigrationPlan
                metadata: {name: p}
                spec:
                  strategy: {type: spread, zones: }
                  moves: []
                """;

        FleetPlan plan = read(yaml);

        assertThat(plan.limits()).isEqualTo(Limits.DEFAULT);
        assertThat(plan.selection()).isEqualTo(new Selection(List.of(), false, null, List.of()));
        assertThat(plan.createdAt()).isNull();
        assertThat(plan.before()).isEmpty();
    }

    @Test
    void statusIsInformationalAndAnyShapeOfItIsIgnored() {
        assertThat(read(edit("  after: {}\n", "  after: [1, 2]\n")).after()).isEmpty();
        assertThat(read(BASE.substring(0, BASE.indexOf("status:")) + "status: whatever\n").notes()).isEmpty();
    }

    @Test
    void anUnquotedTimeIsAcceptedAsWritten() {
        assertThat(read(edit("\"2025-06-02T09:30:00Z\"", "2025-06-02T09:30:00Z")).createdAt())
                .isEqualTo("2025-06-02T09:30:00Z");
    }

    @Test
    void aSplitPodComesFromEachZoneOfItsClaims() {
        FleetPlan plan = read(edit("""
                    - {name: data-orders-2, volumeId: vol-0a2, zone: us-east-1b, sizeGiB: 10}
                """, """
                    - {name: data-orders-2, volumeId: vol-0a2, zone: us-east-1b, sizeGiB: 10}
                    - {name: logs-orders-2, volumeId: vol-0a3, zone: us-east-1c, sizeGiB: 1}
                """).replace("from: us-east-1b\n    to: us-east-1c", "from: us-east-1b,us-east-1c\n    to: us-east-1c"));

        assertThat(plan.moves().get(0).from()).isEqualTo("us-east-1b,us-east-1c");
        assertThat(plan.moves().get(0).claims()).hasSize(2);
    }

    @Test
    void aSplitPerZonePlanMayRebindAVolumeInPlace() {
        FleetPlan plan = read(edit("type: spread", "type: split-per-zone").replace("to: us-east-1c", "to: us-east-1b"));

        assertThat(plan.moves().get(0).to()).isEqualTo(plan.moves().get(0).from());
    }

    @Test
    void zonesAreCheckedAgainstTheRegionOnlyWhenItsZonesAreGiven() {
        String yaml = edit("to: us-east-1c", "to: us-east-1z");

        assertThat(PlanFile.read("plan.yaml", new StringReader(yaml), List.of()).moves().get(0).to())
                .isEqualTo("us-east-1z");
        refused(yaml, "plan.yaml:23: spec.moves[0].to: zone \"us-east-1z\" is not a zone of this region "
                + "(us-east-1b, us-east-1c, us-east-1d)");
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            apiVersion: zonemover.io/v1alpha1 | apiVersion: v1 | plan.yaml:1: apiVersion: expected zonemover.io/v1alpha1, got "v1"
            kind: MigrationPlan | kind: Plan | plan.yaml:2: kind: expected MigrationPlan, got "Plan"
            kind: MigrationPlan | kind: 7 | plan.yaml:2: kind: expected a string, got "7" (quote it to make it one)
            kind: MigrationPlan | kind: | plan.yaml:2: kind: expected a string, got nothing
            metadata: | meta: | plan.yaml:3: unknown field "meta" (known: apiVersion, kind, metadata, spec, status)
            name: spread-1 | name: Spread Plan | plan.yaml:4: metadata.name: expected a name of lower-case letters, digits, '-' and '.', got "Spread Plan"
            "2025-06-02T09:30:00Z" | yesterday | plan.yaml:5: metadata.createdAt: expected an RFC 3339 time such as 2025-03-04T05:06:07Z, got "yesterday"
            namespaces: [shop] | namespaces: shop | plan.yaml:8: spec.selection.namespaces: expected a list, got "shop"
            namespaces: [shop] | namespaces: [Shop] | plan.yaml:8: spec.selection.namespaces[0]: expected a namespace name, got "Shop"
            allNamespaces: false | allNamespaces: 0 | plan.yaml:9: spec.selection.allNamespaces: expected true or false, got "0"
            allNamespaces: false | allNamespaces: true | plan.yaml:9: spec.selection.allNamespaces: allNamespaces: true and a list of namespaces exclude each other
            statefulSets: [] | statefulSets: [orders] | plan.yaml:11: spec.selection.statefulSets[0]: expected NAMESPACE/NAME, got "orders"
            type: spread | type: rebalance | plan.yaml:13: spec.strategy.type: expected spread, evacuate or split-per-zone, got "rebalance"
            zones: [] | zones: [us-east-1b] | plan.yaml:14: spec.strategy.zones: spread takes no zones (it uses every zone with room)
            type: spread | type: evacuate | plan.yaml:14: spec.strategy.zones: evacuate needs the zones it empties in spec.strategy.zones
            parallel: 2 | paralel: 2 | plan.yaml:16: spec.limits: unknown field "paralel" (known: parallel, maxUnavailable, maxFailures)
            parallel: 2 | parallel: two | plan.yaml:16: spec.limits.parallel: expected an integer, got "two"
            parallel: 2 | parallel: "2" | plan.yaml:16: spec.limits.parallel: expected an integer, got "2"
            parallel: 2 | parallel: 2.5 | plan.yaml:16: spec.limits.parallel: expected an integer, got "2.5"
            parallel: 2 | parallel: 0 | plan.yaml:16: spec.limits.parallel: must be at least 1, got 0
            maxUnavailable: 1 | maxUnavailable: 0 | plan.yaml:17: spec.limits.maxUnavailable: must be at least 1, got 0
            maxFailures: 1 | maxFailures: -1 | plan.yaml:18: spec.limits.maxFailures: must be at least 1, got -1
            parallel: 2 | parallel: 99999999999 | plan.yaml:16: spec.limits.parallel: expected an integer, got "99999999999"
            moves: | steps: | plan.yaml:19: spec: unknown field "steps" (known: selection, strategy, limits, moves)
            pod: shop/orders-2 | pod: shop/orders | plan.yaml:20: spec.moves[0].pod: expected NAMESPACE/NAME-ORDINAL (a StatefulSet's pod, such as shop/orders-2), got "shop/orders"
            pod: shop/orders-2 | pod: orders-2 | plan.yaml:20: spec.moves[0].pod: expected NAMESPACE/NAME-ORDINAL (a StatefulSet's pod, such as shop/orders-2), got "orders-2"
            pod: shop/orders-2 | pod: prod/orders-2 | plan.yaml:20: spec.moves[0].pod: namespace prod is not in spec.selection.namespaces
            pod: shop/orders-2 | pod: shop/catalog-2 | plan.yaml:21: spec.moves[0].statefulSet: pod shop/catalog-2 is not a pod of StatefulSet "orders"
            pod: shop/orders-1 | pod: shop/orders-2 | plan.yaml:26: spec.moves[1].pod: shop/orders-2 is already moved at line 20
            name: data-orders-1 | name: data-orders-2 | plan.yaml:31: spec.moves[1].claims[0].name: shop/data-orders-2 is already listed at line 25
            volumeId: vol-0a1 | volumeId: vol-0a2 | plan.yaml:31: spec.moves[1].claims[0].volumeId: vol-0a2 is already listed at line 25
            volumeId: vol-0a1 | volumeId: aws://us-east-1b/vol-0a1 | plan.yaml:31: spec.moves[1].claims[0].volumeId: expected an EBS volume id such as vol-0123456789abcdef0, got "aws://us-east-1b/vol-0a1"
            sizeGiB: 10} | sizeGiB: 0} | plan.yaml:25: spec.moves[0].claims[0].sizeGiB: must be at least 1, got 0
            'name: data-orders-2, ' | '' | plan.yaml:25: spec.moves[0].claims[0]: missing field "name"
            'zone: us-east-1b, sizeGiB: 10}' | 'zone: us-east-1b, size: 10}' | plan.yaml:25: spec.moves[0].claims[0]: unknown field "size" (known: name, volumeId, zone, sizeGiB)
            to: us-east-1c | to: us-east-1b | plan.yaml:23: spec.moves[0].to: same as from (us-east-1b): nothing to move
            to: us-east-1c | to: US East | plan.yaml:23: spec.moves[0].to: expected a zone such as us-east-1b, got "US East"
            to: us-east-1c | to: us-east-1c,us-east-1d | plan.yaml:23: spec.moves[0].to: expected a zone such as us-east-1b, got "us-east-1c,us-east-1d"
            to: us-east-1c | toZone: us-east-1c | plan.yaml:23: spec.moves[0]: unknown field "toZone" (known: pod, statefulSet, from, to, claims)
            from: us-east-1b | from: us-east-1c | plan.yaml:22: spec.moves[0].from: expected "us-east-1b" (the zone of its claims), got "us-east-1c"
            to: us-east-1c | to: [us-east-1c | plan.yaml:24: not valid YAML: while parsing a flow sequence, expected ',' or ']', but got :
            '    to: us-east-1c\\n' | '' | plan.yaml:20: spec.moves[0]: missing field "to"
            """)
    void refusesWithTheLineAndTheField(String from, String to, String message) {
        refused(edit(from.replace("\\n", "\n"), to), message);
    }

    @Test
    void refusesAFieldGivenTwice() {
        refused(edit("    maxFailures: 1\n", "    maxFailures: 1\n    parallel: 3\n"),
                "plan.yaml:19: spec.limits: field \"parallel\" is given twice (first at line 16)");
    }

    @Test
    void refusesAnEvacuateIntoAZoneItEmpties() {
        refused(edit("type: spread\n    zones: []", "type: evacuate\n    zones: [us-east-1c]"),
                "plan.yaml:23: spec.moves[0].to: us-east-1c is being evacuated (spec.strategy.zones)");
    }

    @Test
    void refusesAMoveWithoutClaims() {
        refused(edit("""
                    claims:
                    - {name: data-orders-2, volumeId: vol-0a2, zone: us-east-1b, sizeGiB: 10}
                """, """
                    claims: []
                """), "plan.yaml:24: spec.moves[0].claims: a move carries every EBS claim of its pod: the list is empty");
    }

    @Test
    void refusesAStatefulSetThatIsNotSelected() {
        refused(edit("statefulSets: []", "statefulSets: [shop/catalog]"),
                "plan.yaml:20: spec.moves[0].pod: StatefulSet shop/orders is not in spec.selection.statefulSets");
    }

    @Test
    void refusesABadLabelSelectorWithTheParsersWords() {
        assertThatThrownBy(() -> read(edit("labelSelector: \"\"", "labelSelector: \"app in (web\"")))
                .hasMessageStartingWith("plan.yaml:10: spec.selection.labelSelector: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "# only a comment\n"})
    void refusesAnEmptyFile(String yaml) {
        refused(yaml, "plan.yaml:1: the file is empty: expected a MigrationPlan");
    }

    @Test
    void refusesAnythingButOneMapping() {
        refused("- 1\n", "plan.yaml:1: expected a mapping (field: value lines), got a list");
        refused("moves\n", "plan.yaml:1: expected a mapping (field: value lines), got \"moves\"");
        assertThatThrownBy(() -> read(BASE + "---\n" + BASE)).hasMessage("plan.yaml:36: not valid YAML: expected a single document in the stream, but found another document");
    }

    @Test
    void aSyntaxErrorIsOneLineWithItsLineNumber() {
        assertThatThrownBy(() -> read(edit("    maxFailures: 1", "\tmaxFailures: 1")))
                .hasMessageStartingWith("plan.yaml:18: not valid YAML: ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void readsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, edit("kind: MigrationPlan", "kind: Plan"));

        assertThatThrownBy(() -> PlanFile.read(file)).hasMessage(file + ":2: kind: expected MigrationPlan, got \"Plan\"");
        assertThatThrownBy(() -> PlanFile.read(dir.resolve("missing.yaml")))
                .isInstanceOf(ZonemoverException.class).hasMessageStartingWith(dir.resolve("missing.yaml") + ": cannot read");
    }

    @Test
    void writesAndReadsBackAnyPlan(@TempDir Path dir) {
        FleetPlan plan = new FleetPlan("evacuate-us-east-1b-x", "2025-06-02T09:30:00Z",
                new Selection(List.of(), true, "app=db,tier in (a, b)", List.of("shop/orders", "web/www")),
                new Strategy(StrategyType.EVACUATE, List.of("us-east-1b")), new Limits(6, 2, 3),
                List.of(new Move("shop/orders-10", "orders", List.of(
                        new ClaimState("data-orders-10", "vol-0123456789abcdef0", "us-east-1b", 100),
                        new ClaimState("wal-orders-10", "vol-0123456789abcdef1", "us-east-1c", 5)),
                        "us-east-1b,us-east-1c", "us-east-1d", 0)),
                Map.of("shop/orders", Map.of("us-east-1b", 1)), Map.of("shop/orders", Map.of("us-east-1d", 1)),
                List.of("a note: with \"quotes\", a \\ and a\ttab", "yes"));
        Path file = dir.resolve("p.yaml");

        PlanFile.write(plan, file);
        FleetPlan read = PlanFile.read(file, REGION);

        assertThat(read).isEqualTo(PlanExamplesTest.withLines(plan, read));
        assertThat(read.moves().get(0).line()).isPositive();
    }

    @Test
    void theSamePlanGivesTheSameBytes() {
        FleetPlan plan = PlanExamplesTest.spreadPlan();

        assertThat(PlanFile.toYaml(plan)).isEqualTo(PlanFile.toYaml(PlanExamplesTest.spreadPlan()));
        assertThat(PlanFile.toYaml(plan)).isEqualTo(PlanFile.toYaml(PlanFile.read("p", new StringReader(
                PlanFile.toYaml(plan)), REGION)));
    }

    @Test
    void theFileExplainsItselfAndHowToApplyIt() {
        String yaml = PlanFile.toYaml(PlanExamplesTest.spreadPlan());

        assertThat(yaml).startsWith("# A zonemover migration plan")
                .contains("#   zonemover rebalance apply FILE", "apply validates all of it", "# to us-east-1c: 2 pod(s)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            us-east-1b | us-east-1b
            shop/orders | shop/orders
            '' | ""
            yes | "yes"
            null | "null"
            123 | "123"
            1.5 | "1.5"
            a: b | "a: b"
            app=db | "app=db"
            -x | "-x"
            """)
    void quotesOnlyWhatYamlWouldReadAsSomethingElse(String value, String written) {
        assertThat(PlanWriter.scalar(value)).isEqualTo(written);
    }
}
