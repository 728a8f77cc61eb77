package org.e2echat.user.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.e2echat.common.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @Test
    void caseAndCompatibilityFormsShareOneKey() {
        String key = Names.usernameKey(Names.username("Alice"));
        assertEquals(key, Names.usernameKey(Names.username("ALICE")));
        assertEquals(key, Names.usernameKey(Names.username("Ａｌｉｃｅ")));
        assertEquals("Alice", Names.username("Ａｌｉｃｅ".replace("ｌｉｃｅ", "lice")).replace("Ａ", "A"));
    }

    @Test
    void lengthIsCountedInCodePoints() {
        assertEquals("𝒜𝒷𝒸", Names.displayName("𝒜𝒷𝒸"));
        Names.username("日本語");
        assertThrows(ProblemException.class, () -> Names.username("ab"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b c", "-leading", "semi;colon", "dollar$", "dot.ok.but/slash", "tab\tname"})
    void usernamesOutsideTheAllowListAreRefused(String name) {
        assertThrows(ProblemException.class, () -> Names.username(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rtl\u202Eoverride", "zero\u200Bwidth", "joiner\u200D", "nul\u0000", "line\u2028sep",
        "bom\uFEFF", "   "})
    void hostileDisplayNamesAreRefused(String name) {
        assertThrows(ProblemException.class, () -> Names.displayName(name));
    }

    @Test
    void displayNamesAreNormalisedAndTrimmed() {
        assertEquals("Ren\u00e9", Names.displayName("  Rene\u0301 "));
    }
}
