<?php
/**
 * Language names in the reader's language. The service names languages in English ("English",
 * "Malay") beside their NLLB code; an Indonesian editor should read "Inggris", "Melayu". The code is
 * what the plugin trusts: it is mapped to a translatable name when shown, and a language the plugin
 * does not know keeps the service's own name.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * NLLB codes to names, worded at display time.
 */
final class Ringkas_Languages {
	/**
	 * The languages the service's detector tells apart, and the translator's usual targets.
	 *
	 * @return array<string, string> NLLB code => name in the current locale.
	 */
	public static function names(): array {
		return array(
			'ind_Latn' => __( 'Indonesian', 'ringkas' ),
			'zsm_Latn' => __( 'Malay', 'ringkas' ),
			'eng_Latn' => __( 'English', 'ringkas' ),
			'tgl_Latn' => __( 'Tagalog', 'ringkas' ),
			'nld_Latn' => __( 'Dutch', 'ringkas' ),
			'fra_Latn' => __( 'French', 'ringkas' ),
			'deu_Latn' => __( 'German', 'ringkas' ),
			'spa_Latn' => __( 'Spanish', 'ringkas' ),
			'por_Latn' => __( 'Portuguese', 'ringkas' ),
			'ita_Latn' => __( 'Italian', 'ringkas' ),
			'tur_Latn' => __( 'Turkish', 'ringkas' ),
			'vie_Latn' => __( 'Vietnamese', 'ringkas' ),
			'arb_Arab' => __( 'Arabic', 'ringkas' ),
			'zho_Hans' => __( 'Chinese (Simplified)', 'ringkas' ),
			'zho_Hant' => __( 'Chinese (Traditional)', 'ringkas' ),
			'jpn_Jpan' => __( 'Japanese', 'ringkas' ),
			'kor_Hang' => __( 'Korean', 'ringkas' ),
			'rus_Cyrl' => __( 'Russian', 'ringkas' ),
			'tha_Thai' => __( 'Thai', 'ringkas' ),
			'hin_Deva' => __( 'Hindi', 'ringkas' ),
			'jav_Latn' => __( 'Javanese', 'ringkas' ),
			'sun_Latn' => __( 'Sundanese', 'ringkas' ),
		);
	}

	/**
	 * A language's name for the reader: by its NLLB code, else the service's name, else the code.
	 *
	 * @param string $code          An NLLB code such as eng_Latn.
	 * @param string $service_name  The service's (English) name for it, if it gave one.
	 */
	public static function name( string $code, string $service_name = '' ): string {
		$names = self::names();
		if ( isset( $names[ $code ] ) ) {
			return $names[ $code ];
		}
		// Stored before codes were kept, or a language added to the service later: by its English name.
		foreach ( self::english_names() as $known => $english ) {
			if ( '' !== $service_name && 0 === strcasecmp( $english, $service_name ) ) {
				return $names[ $known ];
			}
		}
		return '' !== $service_name ? $service_name : $code;
	}

	/** The service's English names, to recognise a name stored without its code. */
	private static function english_names(): array {
		return array(
			'ind_Latn' => 'Indonesian',
			'zsm_Latn' => 'Malay',
			'eng_Latn' => 'English',
			'tgl_Latn' => 'Tagalog',
			'nld_Latn' => 'Dutch',
			'fra_Latn' => 'French',
			'deu_Latn' => 'German',
			'spa_Latn' => 'Spanish',
			'por_Latn' => 'Portuguese',
			'ita_Latn' => 'Italian',
			'tur_Latn' => 'Turkish',
			'vie_Latn' => 'Vietnamese',
			'arb_Arab' => 'Arabic',
			'zho_Hans' => 'Chinese',
			'jpn_Jpan' => 'Japanese',
			'kor_Hang' => 'Korean',
			'rus_Cyrl' => 'Russian',
			'tha_Thai' => 'Thai',
			'hin_Deva' => 'Hindi',
		);
	}
}
