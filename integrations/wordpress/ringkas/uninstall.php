<?php
/**
 * Removes the plugin's options and scheduled events, on every site of a network; its post meta only
 * when the site owner asked for that (define RINGKAS_UNINSTALL_META as true in wp-config.php before
 * deleting the plugin).
 *
 * @package Ringkas
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

$ringkas_clean = static function () {
	delete_option( 'ringkas_settings' );
	delete_option( 'ringkas_backfill' );
	delete_transient( 'ringkas_activated' );
	wp_clear_scheduled_hook( 'ringkas_backfill_tick' );
	wp_unschedule_hook( 'ringkas_summarize_post' );
	if ( defined( 'RINGKAS_UNINSTALL_META' ) && RINGKAS_UNINSTALL_META ) {
		foreach ( array( 'ringkas_summary', 'ringkas_translation', 'ringkas_model', 'ringkas_made_at', 'ringkas_source_hash', 'ringkas_error', 'ringkas_refused', 'ringkas_digest_sources' ) as $ringkas_key ) {
			delete_post_meta_by_key( $ringkas_key );
		}
	}
};

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) as $ringkas_site ) {
		switch_to_blog( $ringkas_site );
		$ringkas_clean();
		restore_current_blog();
	}
} else {
	$ringkas_clean();
}
