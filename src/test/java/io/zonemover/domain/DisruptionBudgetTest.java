package io.zonemover.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How many more pods may go down, as the disruption controller computes disruptionsAllowed. */
class DisruptionBudgetTest {

    @ParameterizedTest(name = "minAvailable={0} maxUnavailable={1}, {2} replicas, {3} Ready: {4} allowed")
    @CsvSource(nullValues = "-", value = {
            // integers
            "2, -, 3, 3, 1",
            "2, -, 3, 2, 0",      // one pod already down counts against the budget
            "3, -, 3, 3, 0",      // minAvailable = replicas: nothing may go
            "-, 1, 3, 3, 1",
            "-, 1, 3, 2, 0",
            "-, 2, 5, 4, 1",
            "-, 0, 3, 3, 0",
            // percentages scale the replicas, rounding up
            "-, 34%, 3, 3, 2",    // ceil(1.02) = 2
            "-, 33%, 3, 3, 1",    // ceil(0.99) = 1
            "50%, -, 3, 3, 1",    // ceil(1.5) = 2 must stay
            "100%, -, 4, 4, 0",
            "-, 100%, 4, 1, 1",
            // never negative, even when fewer are Ready than the budget wants
            "4, -, 5, 2, 0"})
    void allowsAsTheDisruptionControllerComputesIt(String min, String max, int replicas, int healthy, int allowed) {
        assertThat(new DisruptionBudget("pdb", min, max).allowed(replicas, healthy)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "--max-unavailable {0}, {1} replicas, {2} Ready: {3} allowed")
    @CsvSource({"1, 3, 3, 1", "1, 3, 2, 0", "2, 3, 2, 1", "2, 1, 1, 1"})
    void zonemoversOwnBudgetWhereNoneSelectsThePods(int maxUnavailable, int replicas, int healthy, int allowed) {
        DisruptionBudget budget = DisruptionBudget.maxUnavailable(maxUnavailable);
        assertThat(budget.allowed(replicas, healthy)).isEqualTo(allowed);
        assertThat(budget.describe()).isEqualTo("--max-unavailable " + maxUnavailable);
    }

    @org.junit.jupiter.api.Test
    void setsExactlyOneOfTheTwo() {
        assertThatThrownBy(() -> new DisruptionBudget("pdb", "1", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DisruptionBudget("pdb", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new DisruptionBudget("db", "2", null).describe()).isEqualTo("PodDisruptionBudget db (minAvailable 2)");
    }
}
