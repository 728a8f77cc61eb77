/** Current-user access and token helpers of gateway. */
package org.e2echat.gateway.security;
