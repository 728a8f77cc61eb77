package org.e2echat.session;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.e2echat.testsupport.TestJwt;
import org.e2echat.testsupport.TokenVerificationContractTest;

/** session-service verifies user-service's access tokens against a JWKS. */
@QuarkusTest
@QuarkusTestResource(TestJwt.class)
class TokenVerificationTest extends TokenVerificationContractTest {
}
