<?php
/**
 * Plugin Name:       Ringkas
 * Plugin URI:        https://github.com/ringkas/ringkas
 * Description:       Ringkasan artikel berbahasa Indonesia (mT5) dengan terjemahan bahasa Inggris (NLLB-200) dari layanan Ringkas, langsung di editor blok. Summaries of Indonesian articles with an English translation, from a Ringkas service.
 * Version:           0.3.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Ringkas
 * License:           Apache-2.0
 * License URI:       https://www.apache.org/licenses/LICENSE-2.0
 * Text Domain:       ringkas
 * Domain Path:       /languages
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

define( 'RINGKAS_VERSION', '0.3.0' );
define( 'RINGKAS_FILE', __FILE__ );
define( 'RINGKAS_DIR', plugin_dir_path( __FILE__ ) );

require_once RINGKAS_DIR . 'includes/class-ringkas-options.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-languages.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-errors.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-client.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-meta.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-summaries.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-rest.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-settings.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-editor.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-publish.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-backfill.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-archive-page.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-digest.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-list.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-front.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-lifecycle.php';
require_once RINGKAS_DIR . 'includes/class-ringkas-cli.php';

add_action(
	'init',
	static function () {
		load_plugin_textdomain( 'ringkas', false, dirname( plugin_basename( RINGKAS_FILE ) ) . '/languages' );
	}
);
// After themes and plugins register their post types (init, priority 10).
add_action( 'init', array( 'Ringkas_Meta', 'register' ), 20 );
add_filter( 'is_protected_meta', array( 'Ringkas_Meta', 'is_protected' ), 10, 2 );
add_action( 'rest_api_init', array( 'Ringkas_Rest', 'register' ) );
add_action( 'admin_menu', array( 'Ringkas_Settings', 'menu' ) );
add_action( 'admin_init', array( 'Ringkas_Settings', 'register' ) );
add_action( 'admin_notices', array( 'Ringkas_Settings', 'activation_notice' ) );
add_filter( 'plugin_action_links_' . plugin_basename( RINGKAS_FILE ), array( 'Ringkas_Settings', 'action_links' ) );
add_action( 'admin_menu', array( 'Ringkas_Archive_Page', 'menu' ) );
add_action( 'current_screen', array( 'Ringkas_List', 'screen' ) );
add_action( 'enqueue_block_editor_assets', array( 'Ringkas_Editor', 'enqueue' ) );
add_action( 'add_meta_boxes', array( 'Ringkas_Editor', 'meta_box' ), 10, 2 );
add_filter( 'the_content', array( 'Ringkas_Front', 'above' ) );
add_action( 'init', array( 'Ringkas_Front', 'register_block' ) );
add_action( 'transition_post_status', array( 'Ringkas_Publish', 'on_transition' ), 10, 3 );
add_action( 'save_post', array( 'Ringkas_Errors', 'on_save' ), 10, 2 );
add_action( Ringkas_Publish::HOOK, array( 'Ringkas_Publish', 'run' ), 10, 2 );
add_action( Ringkas_Backfill::HOOK, array( 'Ringkas_Backfill', 'tick' ) );
register_activation_hook( RINGKAS_FILE, array( 'Ringkas_Lifecycle', 'activate' ) );
register_deactivation_hook( RINGKAS_FILE, array( 'Ringkas_Lifecycle', 'deactivate' ) );

if ( defined( 'WP_CLI' ) && WP_CLI ) {
	WP_CLI::add_command( 'ringkas', 'Ringkas_CLI' );
}
