<?php
/**
 * Set-up and checks the WordPress tests run inside the site (tests/wordpress_site.py requires this
 * after wp-load.php).
 */

function ringkas_test_users( array $users, string $password ): void {
	foreach ( $users as $login => $role ) {
		wp_insert_user(
			array(
				'user_login' => $login,
				'user_pass'  => $password,
				'role'       => $role,
				'user_email' => $login . '@example.test',
			)
		);
	}
	$result = activate_plugin( 'ringkas/ringkas.php' );
	if ( is_wp_error( $result ) ) {
		echo $result->get_error_message();
		exit( 1 );
	}
}

/** Runs the due WP-Cron events now, as the request WordPress spawns would. */
function ringkas_test_run_cron(): int {
	$ran = 0;
	foreach ( (array) _get_cron_array() as $time => $hooks ) {
		if ( $time > time() ) {
			continue;
		}
		foreach ( $hooks as $hook => $events ) {
			foreach ( $events as $event ) {
				wp_unschedule_event( $time, $hook, $event['args'] );
				do_action_ref_array( $hook, $event['args'] );
				++$ran;
			}
		}
	}
	return $ran;
}

function ringkas_test_post_state( int $post_id ): array {
	$post = get_post( $post_id );
	$meta = array();
	foreach ( get_post_meta( $post_id ) as $key => $values ) {
		if ( 0 === strpos( $key, 'ringkas_' ) ) {
			$meta[ $key ] = $values[0];
		}
	}
	return array(
		'excerpt' => $post->post_excerpt,
		'content' => $post->post_content,
		'status'  => $post->post_status,
		'meta'    => (object) $meta, // {} when empty, not []
	);
}
