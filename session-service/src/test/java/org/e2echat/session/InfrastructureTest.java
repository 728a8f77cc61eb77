package org.e2echat.session;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.e2echat.testsupport.InfraTestResource;
import org.e2echat.testsupport.InfrastructureContractTest;

/** session-service runs on the real embedded MongoDB-wire server and Kafka broker. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class InfrastructureTest extends InfrastructureContractTest {
}
