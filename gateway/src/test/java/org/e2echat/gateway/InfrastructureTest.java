package org.e2echat.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.e2echat.testsupport.InfraTestResource;
import org.e2echat.testsupport.InfrastructureContractTest;

/** gateway runs on the real embedded MongoDB-wire server and Kafka broker. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class InfrastructureTest extends InfrastructureContractTest {
}
