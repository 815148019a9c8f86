package io.zonemover.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EbsVolumeIdTest {

    @ParameterizedTest
    @CsvSource(nullValues = "NONE", value = {
            "vol-0abc,                                  vol-0abc,              NONE",
            "vol-0123456789abcdef0,                     vol-0123456789abcdef0, NONE",
            "aws://us-east-1b/vol-0abc,                 vol-0abc,              us-east-1b",
            "aws://eu-west-3a/vol-0123456789abcdef0,    vol-0123456789abcdef0, eu-west-3a",
            "aws:///vol-0abc,                           vol-0abc,              NONE",
            "'  vol-0abc  ',                            vol-0abc,              NONE",
            "aws://us-gov-west-1a/vol-1,                vol-1,                 us-gov-west-1a",
    })
    void parsesEveryForm(String text, String id, String zone) {
        EbsVolumeId parsed = EbsVolumeId.parse(text);
        assertEquals(id, parsed.id());
        assertEquals(zone, parsed.zone());
        assertEquals(zone != null, parsed.availabilityZone().isPresent());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"vol-", "vol", "snap-0abc", "aws://us-east-1b/", "aws://us-east-1b/snap-1",
            "aws:/vol-0abc", "aws://us-east-1b/vol-0abc/extra", "https://us-east-1b/vol-0abc", "vol-0abc/x",
            "aws://us-east-1b//vol-0abc", "vol-0 abc", "pvc-1234", "aws://US-EAST-1B/vol-0abc"})
    void rejectsAnythingElse(String text) {
        assertTrue(EbsVolumeId.tryParse(text).isEmpty());
        ZonemoverException e = assertThrows(ZonemoverException.class, () -> EbsVolumeId.parse(text));
        assertEquals(ZonemoverException.Kind.BAD_INPUT, e.kind());
    }
}
