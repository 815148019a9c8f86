package io.zonemover.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerMessagesTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "0/6 nodes are available: 3 node(s) had volume node affinity conflict, 3 Insufficient cpu.",
            "0/1 nodes are available: 1 node(s) had volume node affinity conflict. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
            "0/6 nodes are available: 3 node(s) didn't match PersistentVolume's node affinity, 3 Insufficient cpu. preemption: …",
            "0/3 nodes are available: 3 node(s) didn\u2019t match PersistentVolume\u2019s node affinity.",
            "0/4 nodes are available: 4 node(s) had no available volume zone.",
            "Warning: 1 node(s) had volume node affinity conflict",
            "0/9 nodes are available: 2 node(s) were unschedulable, 7 node(s) had Volume Node Affinity Conflict",
            "0/300 nodes are available: 100 Insufficient memory, 200 node(s) had volume node affinity conflict…",
    })
    void recognisesEveryVolumeZoneWording(String message) {
        assertTrue(SchedulerMessages.isVolumeZoneConflict(message));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "0/3 nodes are available: 3 Insufficient cpu.",
            "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
            "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind.",
            "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: db}.",
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
            "0/6 nodes are available: 3 node(s) had volume node affin…",
    })
    void ignoresOtherReasons(String message) {
        assertFalse(SchedulerMessages.isVolumeZoneConflict(message));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Multi-Attach error for volume \"pvc-1\" Volume is already exclusively attached to one node and can't be attached to another | true",
            "Multi-Attach error for volume \"pvc-1\" Volume is already used by pod(s) web-0 | true",
            "AttachVolume.Attach failed for volume \"pvc-1\" : rpc error: code = ResourceExhausted desc = Attachment limit exceeded | false",
            "Unable to attach or mount volumes: timed out waiting for the condition | false",
    })
    void recognisesMultiAttach(String message, boolean multi) {
        assertEquals(multi, SchedulerMessages.isMultiAttach(message));
    }

    @ParameterizedTest
    @CsvSource({"FailedAttachVolume, true", "FailedMount, false", "FailedScheduling, false", ", false"})
    void attachFailureReasons(String reason, boolean expected) {
        assertEquals(expected, SchedulerMessages.isAttachFailureReason(reason));
    }
}
