/** Current-user access and token helpers of user-service. */
package org.e2echat.user.security;
