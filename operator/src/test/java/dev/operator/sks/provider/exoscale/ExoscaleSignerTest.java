package dev.operator.sks.provider.exoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Known answers. The first two are the vectors of Exoscale's own Go client (egoscale,
 * {@code v2/api/security_test.go}, themselves checked against Exoscale's Python signer); the others sign the two
 * examples of Exoscale's signature documentation (a query with two parameters, a POST with a body), their
 * signatures computed independently with Python's {@code hmac}.
 */
class ExoscaleSignerTest {
    private static final ExoscaleCredentials EGOSCALE =
            new ExoscaleCredentials("EXOxxxxxxxxxxxxxxxxxxxxxxxx", "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
    /** 2077-01-01T00:00:00Z, egoscale's test expiry. */
    private static final long EGOSCALE_EXPIRES = 3376684800L;

    private static final ExoscaleCredentials DOCUMENTED =
            new ExoscaleCredentials("EXO29147e9f89102b7ac1e88514", "Gjq2O4GmXbrVwWiwvSaXAX4pkXhJyK8Dl7zuvkJ8rIw");

    @Test
    void aRequestWithoutParametersSignsMethodPathAndExpiry() {
        assertThat(ExoscaleSigner.authorization(EGOSCALE, "GET", "/v2/zone", Map.of(), "", EGOSCALE_EXPIRES))
                .isEqualTo("EXO2-HMAC-SHA256 credential=EXOxxxxxxxxxxxxxxxxxxxxxxxx,expires=3376684800,"
                        + "signature=Ntbq/p0HVmA3Zg1HHY+Lq1vjFGi7HeMrrgXDS5jRNlY=");
    }

    @Test
    void queryParametersAreSignedByNameInOrderAndListed() {
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("k2", List.of("v2"));
        query.put("k1", List.of("v1"));
        assertThat(ExoscaleSigner.authorization(EGOSCALE, "GET", "/v2/zone", query, "", EGOSCALE_EXPIRES))
                .isEqualTo("EXO2-HMAC-SHA256 credential=EXOxxxxxxxxxxxxxxxxxxxxxxxx,signed-query-args=k1;k2,"
                        + "expires=3376684800,signature=iqOBz13+44L5j0uJclE8hmUhQQcvtCSoPEOXYK6liqY=");
    }

    @Test
    void theDocumentedExamplesSign() {
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("p2", List.of("v2"));
        query.put("p1", List.of("v1"));
        assertThat(ExoscaleSigner.authorization(
                        DOCUMENTED, "GET", "/v2/resource/a02baf5a-a3e4-49a0-857b-8a08d276c1c0", query, "", 1599140767L))
                .isEqualTo("EXO2-HMAC-SHA256 credential=EXO29147e9f89102b7ac1e88514,signed-query-args=p1;p2,"
                        + "expires=1599140767,signature=iySgamuwvts0vmltyqBfonKPaMk6hdLUtE/jsf9Mac0=");
        assertThat(ExoscaleSigner.authorization(
                        DOCUMENTED,
                        "POST",
                        "/v2/security-group",
                        Map.of(),
                        "{\"name\": \"my-security-group\"}",
                        1599140767L))
                .isEqualTo("EXO2-HMAC-SHA256 credential=EXO29147e9f89102b7ac1e88514,expires=1599140767,"
                        + "signature=NXg7zm51sncCLHq+vWfQ6aaJC06Lvr94RrdznIh8MvM=");
    }

    @Test
    void theMessageIsFiveLinesAndMultiValuedParametersStayUnsigned() {
        Map<String, List<String>> query = Map.of("a", List.of("1", "2"), "b", List.of("x"));
        assertThat(ExoscaleSigner.message(
                        "PUT", "/v2/instance-pool/p:scale", "{\"size\":3}", ExoscaleSigner.signedParameters(query), 42))
                .isEqualTo("PUT /v2/instance-pool/p:scale\n{\"size\":3}\nx\n\n42");
        assertThat(ExoscaleSigner.authorization(DOCUMENTED, "GET", "/v2/x", query, "", 1))
                .contains("signed-query-args=b,")
                .doesNotContain("signed-query-args=a");
    }

    @Test
    void credentialsNeverPrintTheirSecret() {
        assertThat(DOCUMENTED.toString())
                .contains("EXO29147e9f89102b7ac1e88514")
                .doesNotContain("Gjq2O4");
    }
}
