package io.zonemover.jobs;

import io.zonemover.domain.DisruptionBudget;
import io.zonemover.testing.FakeWorld;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A plan's gate on each StatefulSet: one more pod may go down only within its budget, unready pods counting. */
class SetBudgetsTest {

    private FakeWorld world;

    @BeforeEach
    void world() {
        world = FakeWorld.zones("us-east-1b", "us-east-1c");
        world.statefulSet("default", "db").pods(3).add();
    }

    @Test
    void withoutABudgetTheMaxUnavailableHoldsAndAPodAlreadyDownCounts() {
        SetBudgets budgets = new SetBudgets(world.cluster(), 1);
        assertThat(budgets.blocked("default/db")).isEmpty();

        world.cluster().podState("default", "db-1").ready = false;
        assertThat(budgets.blocked("default/db")).hasValueSatisfying(why ->
                assertThat(why).contains("--max-unavailable 1", "default/db", "2/3 Ready"));

        assertThat(new SetBudgets(world.cluster(), 2).blocked("default/db")).as("--max-unavailable 2").isEmpty();
    }

    @Test
    void aPodDisruptionBudgetWinsOverTheDefault() {
        world.cluster().setBudget("default", "db", new DisruptionBudget("db", "3", null));
        assertThat(new SetBudgets(world.cluster(), 1).blocked("default/db")).hasValueSatisfying(why ->
                assertThat(why).contains("PodDisruptionBudget db (minAvailable 3)"));

        world.cluster().setBudget("default", "db", new DisruptionBudget("db", null, "34%"));
        world.cluster().podState("default", "db-1").ready = false;
        assertThat(new SetBudgets(world.cluster(), 1).blocked("default/db")).as("34% of 3 allows 2, one is down")
                .isEmpty();
    }

    @Test
    void aStatefulSetThatIsBrieflyGoneWaits() {
        world.cluster().deleteStatefulSetOrphan("default", "db");
        assertThat(new SetBudgets(world.cluster(), 1).blocked("default/db")).hasValueSatisfying(why ->
                assertThat(why).contains("not there now"));
    }
}
