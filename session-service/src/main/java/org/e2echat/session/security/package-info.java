/** Current-user access and token helpers of session-service. */
package org.e2echat.session.security;
